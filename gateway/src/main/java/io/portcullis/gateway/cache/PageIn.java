package io.portcullis.gateway.cache;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a blob just stored with direct I/O back into the page cache, in the background, so the hits
 * that follow a fill are served from memory as they are after a buffered write (a direct write
 * leaves nothing in the page cache: the first hit after the 512 MiB fills of issue #14's benchmark
 * ran at 413 MiB/s, the disk, against 1.7-3.4 GiB/s for the next ones).
 *
 * <p>One thread, one blob at a time, in pieces sent to {@code /dev/null} ({@code sendfile}: the
 * kernel reads the file into its cache and copies nothing out). It gives way to fills: between
 * pieces it waits while any fill is under way, so a cold pull shares the disk with it for one piece
 * at most. What it may hold is bounded: a blob over an eighth of the machine's memory is not read
 * in (it would push out more than it brings), nor one that would take the queue past that.
 */
final class PageIn implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PageIn.class);
  static final long PIECE = 8L * 1024 * 1024;
  private static final Path DEV_NULL = Path.of("/dev/null");

  private final BooleanSupplier fillsUnderWay;
  private final LongConsumer pagedIn;
  private final long limit;
  private final AtomicLong queued = new AtomicLong();
  private final ThreadPoolExecutor thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition fillsOver = lock.newCondition();

  /**
   * @param fillsUnderWay whether any fill is under way (checked between pieces)
   * @param pagedIn told the bytes of each piece read in
   * @param limit the largest blob read in, and the most bytes queued at once
   */
  PageIn(BooleanSupplier fillsUnderWay, LongConsumer pagedIn, long limit) {
    this.fillsUnderWay = fillsUnderWay;
    this.pagedIn = pagedIn;
    this.limit = limit;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "portcullis-cache-page-in");
              t.setDaemon(true);
              return t;
            });
    // Started with the first blob, gone after 10 s with nothing to do.
    thread.allowCoreThreadTimeOut(true);
  }

  /** An eighth of the memory the JVM sees (a container's limit where there is one). */
  static long defaultLimit() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getTotalMemorySize() / 8;
    }
    return 512L * 1024 * 1024;
  }

  /**
   * Queues {@code file} ({@code size} bytes) to be read into the page cache; returns whether it was
   * queued (not when it is too large, or the queue is full).
   */
  boolean request(Path file, long size) {
    if (size > limit) {
      return false;
    }
    long after = queued.addAndGet(size);
    if (after > limit) {
      queued.addAndGet(-size);
      return false;
    }
    try {
      thread.execute(() -> readIn(file, size));
      return true;
    } catch (RuntimeException shutDown) {
      queued.addAndGet(-size);
      return false;
    }
  }

  /** Wakes the thread if it waits for fills to end: call when a fill is over. */
  void fillOver() {
    lock.lock();
    try {
      fillsOver.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void readIn(Path file, long size) {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(DEV_NULL, StandardOpenOption.WRITE)) {
      long pos = 0;
      long end = Math.min(size, in.size());
      while (pos < end) {
        awaitNoFill();
        long n = in.transferTo(pos, Math.min(PIECE, end - pos), out);
        if (n <= 0) {
          break;
        }
        pos += n;
        pagedIn.accept(n);
      }
    } catch (NoSuchFileException gone) {
      // evicted or dropped meanwhile: nothing to read in
    } catch (IOException e) {
      LOG.debug("cache: could not read {} into the page cache: {}", file, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      queued.addAndGet(-size);
    }
  }

  private void awaitNoFill() throws InterruptedException {
    lock.lock();
    try {
      while (fillsUnderWay.getAsBoolean()) {
        // Signalled when a fill ends (under this lock, so never missed); the timeout is a safety
        // net.
        fillsOver.await(100, TimeUnit.MILLISECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
