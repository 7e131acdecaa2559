package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blobs written with direct I/O read back into the page cache after their fill, measured with
 * {@code fincore} (util-linux): what the kernel holds of the file, not what the code says it did.
 */
class PageInTest {
  private static final long MIB = 1024 * 1024;
  @TempDir Path dir;

  @Test
  void aBlobWrittenDirectlyIsReadIntoThePageCache() throws Exception {
    Path file = writeDirect("a", 24 * MIB);
    assertTrue(resident(file) < MIB, "a direct write leaves the file out of the page cache");
    AtomicLong paged = new AtomicLong();
    try (PageIn pageIn = new PageIn(() -> false, paged::addAndGet, 64 * MIB)) {
      assertTrue(pageIn.request(file, 24 * MIB));
      awaitUntil(() -> paged.get() == 24 * MIB);
    }
    assertEquals(24 * MIB, resident(file), "every byte is in the page cache");
  }

  @Test
  void itWaitsWhileAFillIsUnderWay() throws Exception {
    Path file = writeDirect("b", 16 * MIB);
    AtomicBoolean filling = new AtomicBoolean(true);
    AtomicInteger looked = new AtomicInteger();
    AtomicLong paged = new AtomicLong();
    try (PageIn pageIn =
        new PageIn(
            () -> {
              looked.incrementAndGet();
              return filling.get();
            },
            paged::addAndGet,
            64 * MIB)) {
      assertTrue(pageIn.request(file, 16 * MIB));
      // Looked again after its wait: it has been held back, and read nothing meanwhile.
      awaitUntil(() -> looked.get() >= 3);
      assertEquals(0, paged.get());
      assertTrue(resident(file) < MIB);
      filling.set(false);
      pageIn.fillOver();
      awaitUntil(() -> paged.get() == 16 * MIB);
    }
    assertEquals(16 * MIB, resident(file));
  }

  @Test
  void whatItTakesOnIsBoundedAndAVanishedFileCostsNothing() throws Exception {
    Path big = writeDirect("c", 24 * MIB);
    Path small = writeDirect("d", 8 * MIB);
    AtomicBoolean filling = new AtomicBoolean(true);
    AtomicLong paged = new AtomicLong();
    try (PageIn pageIn = new PageIn(filling::get, paged::addAndGet, 16 * MIB)) {
      assertFalse(pageIn.request(big, 24 * MIB), "a blob over the limit is left on disk");
      assertTrue(pageIn.request(small, 8 * MIB));
      assertTrue(pageIn.request(dir.resolve("gone"), 8 * MIB), "queued: the file goes later");
      assertFalse(pageIn.request(small, 8 * MIB), "the queue holds at most the limit");
      filling.set(false);
      pageIn.fillOver();
      awaitUntil(() -> pageIn.request(small, 8 * MIB)); // the queue emptied, the missing file too
      awaitUntil(() -> paged.get() == 16 * MIB);
    }
    assertTrue(resident(big) < MIB);
    assertEquals(8 * MIB, resident(small));
  }

  /** Whether files in {@code dir} can be written with direct I/O (not on tmpfs, say). */
  static boolean directIo(Path dir) throws IOException {
    Path probe = dir.resolve("direct-io-probe");
    try (FileChannel ch =
        FileChannel.open(
            probe,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT)) {
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  /** Writes {@code size} bytes with direct I/O, skipping the test where there is none. */
  private Path writeDirect(String name, long size) throws IOException {
    assumeTrue(directIo(dir), "no direct I/O in " + dir);
    Path file = dir.resolve(name);
    ByteBuffer piece = ByteBuffer.allocateDirect((int) (2 * MIB)).alignedSlice(4096);
    piece.limit((int) MIB);
    byte[] fill = name.repeat((int) MIB).getBytes(StandardCharsets.US_ASCII);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT)) {
      for (long pos = 0; pos < size; pos += MIB) {
        piece.clear().limit((int) MIB);
        piece.put(fill, 0, (int) MIB).flip();
        while (piece.hasRemaining()) {
          ch.write(piece, pos + piece.position());
        }
      }
    }
    return file;
  }

  /** Bytes of {@code file} in the page cache, from {@code fincore}. */
  static long resident(Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("fincore", "--bytes", "--noheadings", "--output", "RES", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.waitFor(), "fincore: " + out);
    return Long.parseLong(out);
  }

  static void awaitUntil(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 20 s");
      Thread.sleep(10);
    }
  }
}
