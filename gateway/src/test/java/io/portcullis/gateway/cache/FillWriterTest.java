package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fill's writer: with direct I/O (the default where the file system has it) the file holds
 * exactly the blob's bytes once synced, whatever the chunking, and a batch never reports more of
 * the file written than it holds; where there is no direct I/O it writes through the page cache.
 */
class FillWriterTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @ParameterizedTest
  @ValueSource(
      ints = {
        0,
        1,
        4095,
        4096,
        4097,
        1024 * 1024,
        1024 * 1024 + 3,
        5 * 1024 * 1024 - 7,
        // more pieces than a writer has staging buffers: each is reused, the writes in order
        (FillWriter.MAX_BUFFERS + 4) * 1024 * 1024 + 5
      })
  void theFileHoldsExactlyTheBlobAndNeverLessThanReported(int size) throws Exception {
    byte[] blob = new byte[size];
    new Random(size).nextBytes(blob);
    Path temp = dir.resolve("fill-" + size);
    Digest digest = Digest.sha256(blob);
    FillWriter writer = FillWriter.create(vertx, temp, digest, true).await(10, TimeUnit.SECONDS);
    Random chunking = new Random(31L * size);
    int at = 0;
    while (at < size) {
      List<Buffer> batch = new ArrayList<>();
      int batchAt = at;
      for (int k = 0; k < 1 + chunking.nextInt(8) && at < size; k++) {
        int n = Math.min(size - at, 1 + chunking.nextInt(96 * 1024));
        batch.add(Buffer.buffer(java.util.Arrays.copyOfRange(blob, at, at + n)));
        at += n;
      }
      long onDisk = writer.write(batch, batchAt).await(10, TimeUnit.SECONDS);
      assertTrue(onDisk <= at, "reported " + onDisk + " of " + at + " bytes");
      byte[] file = Files.readAllBytes(temp);
      assertTrue(file.length >= onDisk, "the file holds what was reported written");
      assertArrayEquals(
          java.util.Arrays.copyOf(blob, (int) onDisk), java.util.Arrays.copyOf(file, (int) onDisk));
    }
    assertTrue(writer.matches(digest));
    writer.sync(size).await(10, TimeUnit.SECONDS);
    assertArrayEquals(blob, Files.readAllBytes(temp));
  }

  @Test
  void writesBypassThePageCacheWhereTheFileSystemAllows() throws Exception {
    Path temp = dir.resolve("direct");
    FillWriter writer =
        FillWriter.create(vertx, temp, Digest.sha256(new byte[0]), true)
            .await(10, TimeUnit.SECONDS);
    try {
      assertTrue(openedDirect(temp), "the fill's file is open with O_DIRECT");
    } finally {
      writer.sync(0).await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Staging buffers beyond a writer's own two come from one budget for all fills, so one fill on
   * its own gets more (the disk's latency hidden behind hashing) and a hundred at once do not take
   * a hundred times as much memory; a writer gives its extra back when synced or closed.
   */
  @Test
  void extraStagingBuffersComeFromOneBudgetForAllFills() throws Exception {
    int before = FillWriter.extraInUse();
    List<FillWriter> writers = new ArrayList<>();
    try {
      FillWriter last = null;
      for (int i = 0; i < FillWriter.SHARED_BUDGET + 2; i++) {
        last = direct("w" + i);
        writers.add(last);
        assertTrue(last.stagingBuffers() >= FillWriter.OWN_BUFFERS);
        assertTrue(last.stagingBuffers() <= FillWriter.MAX_BUFFERS);
        if (last.stagingBuffers() == FillWriter.OWN_BUFFERS) {
          break;
        }
      }
      assertEquals(FillWriter.OWN_BUFFERS, last.stagingBuffers(), "the budget ran out");
      assertEquals(FillWriter.SHARED_BUDGET, FillWriter.extraInUse(), "and was never exceeded");
      assertEquals(
          FillWriter.SHARED_BUDGET - before,
          writers.stream().mapToInt(w -> w.stagingBuffers() - FillWriter.OWN_BUFFERS).sum());

      FillWriter first = writers.get(0);
      int freed = first.stagingBuffers() - FillWriter.OWN_BUFFERS;
      assertTrue(freed > 0, "the first writer had extra buffers");
      first.sync(0).await(10, TimeUnit.SECONDS);
      first.close().await(10, TimeUnit.SECONDS); // a second close gives nothing back twice
      assertEquals(FillWriter.SHARED_BUDGET - freed, FillWriter.extraInUse());
      FillWriter next = direct("next");
      writers.add(next);
      assertEquals(FillWriter.OWN_BUFFERS + freed, next.stagingBuffers(), "what was freed");
    } finally {
      for (FillWriter w : writers) {
        w.close().await(10, TimeUnit.SECONDS);
      }
    }
    assertEquals(before, FillWriter.extraInUse(), "every writer gave its extra back");
  }

  /**
   * A synced fill leaves its staging buffers to the next ones (allocating and zeroing eight per
   * fill showed in the time to first byte), up to a bound; a failed one leaves them to the
   * collector, since a write of it may still hold one. Reused buffers still give exact files (the
   * parameterized test above runs on them too).
   */
  @Test
  void syncedFillsLeaveTheirBuffersToTheNextOnes() throws Exception {
    FillWriter a = direct("a");
    int held = a.stagingBuffers();
    int pooled = FillWriter.pooled();
    a.sync(0).await(10, TimeUnit.SECONDS);
    assertEquals(Math.min(FillWriter.MAX_POOLED, pooled + held), FillWriter.pooled());
    assertEquals(0, a.stagingBuffers());

    int left = FillWriter.pooled();
    FillWriter b = direct("b");
    assertEquals(
        Math.max(0, left - b.stagingBuffers()), FillWriter.pooled(), "the next fill took them");
    int afterB = FillWriter.pooled();
    b.close().await(10, TimeUnit.SECONDS);
    assertEquals(afterB, FillWriter.pooled(), "a closed (failed) fill gives none back");

    byte[] blob = new byte[3 * 1024 * 1024 + 17];
    new Random(9).nextBytes(blob);
    FillWriter c =
        FillWriter.create(vertx, dir.resolve("c"), Digest.sha256(blob), true)
            .await(10, TimeUnit.SECONDS);
    c.write(List.of(Buffer.buffer(blob)), 0).await(10, TimeUnit.SECONDS);
    assertTrue(c.matches(Digest.sha256(blob)));
    c.sync(blob.length).await(10, TimeUnit.SECONDS);
    assertArrayEquals(blob, Files.readAllBytes(dir.resolve("c")));
  }

  private FillWriter direct(String name) throws Exception {
    FillWriter w =
        FillWriter.create(vertx, dir.resolve(name), Digest.sha256(new byte[0]), true)
            .await(10, TimeUnit.SECONDS);
    assertTrue(w.stagingBuffers() > 0, "direct I/O in " + dir);
    return w;
  }

  @Test
  void withoutDirectIoTheBytesGoThroughThePageCache() throws Exception {
    Path temp = dir.resolve("buffered");
    byte[] blob = new byte[3 * 1024 * 1024 + 11];
    new Random(5).nextBytes(blob);
    FillWriter writer =
        FillWriter.create(vertx, temp, Digest.sha256(blob), false).await(10, TimeUnit.SECONDS);
    assertEquals(false, openedDirect(temp));
    long onDisk = writer.write(List.of(Buffer.buffer(blob)), 0).await(10, TimeUnit.SECONDS);
    assertEquals(blob.length, onDisk, "buffered writes are all in the file at once");
    writer.sync(blob.length).await(10, TimeUnit.SECONDS);
    assertArrayEquals(blob, Files.readAllBytes(temp));
  }

  /** Whether this process holds {@code file} open with O_DIRECT (040000), from /proc. */
  private static boolean openedDirect(Path file) throws IOException {
    Path real = file.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        Path target;
        try {
          target = Files.readSymbolicLink(fd);
        } catch (IOException e) {
          continue;
        }
        if (target.equals(real)) {
          for (String line :
              Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
            if (line.startsWith("flags:")) {
              return (Long.parseLong(line.substring(6).trim(), 8) & 040000) != 0;
            }
          }
        }
      }
    }
    throw new AssertionError("no open file " + real);
  }
}
