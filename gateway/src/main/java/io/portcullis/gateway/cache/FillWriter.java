package io.portcullis.gateway.cache;

import com.sun.nio.file.ExtendedOpenOption;
import io.netty.buffer.ByteBuf;
import io.portcullis.core.oci.Digest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hashes a fill's bytes and writes them to its temp file on a worker thread, behind the event loop
 * that receives them: on the loop, the hash and a copy into a write batch took about as long as
 * receiving and forwarding the bytes. Batches are queued, and one worker drains the queue for as
 * long as it holds any, in order (the hash must see the bytes in order): a round trip between the
 * loop and a worker per batch, which under load waits for both to be scheduled, paced the whole
 * fill (and the upstream with it) at a fraction of what the disk takes. The bytes are the
 * upstream's own buffers, never copied here (the readers share them too: nothing writes to them
 * once received); the fill releases a batch's chunks of {@link OwnedBody}'s pool when the batch
 * completes, on its event loop.
 */
final class FillWriter {
  private static final Logger LOG = LoggerFactory.getLogger(FillWriter.class);
  // Direct writes go out in pieces of this size (a multiple of any block size), from aligned
  // buffers of the fill's own.
  private static final int DIRECT_CHUNK = 1024 * 1024;
  // Direct writes go to the disk one at a time per fill, in order: two at once, extending one
  // file, cost one cold round in three two to three times the system CPU (3.4-4.5 CPU s per GiB
  // against 1.7-2.4). A direct write returns only once the device has the bytes (1 MiB in 0.5 ms
  // on an idle machine, 1.5 to 2.5 ms or more while it is busy: as long as hashing it), so the
  // hashing thread stages the next pieces while earlier ones wait for the disk, in a fill's own
  // buffers, and waits only when all of them are.
  static final int OWN_BUFFERS = 2;
  // With two, a cold 512 MiB fill held its upstream back 260-380 ms waiting on the disk (the
  // machine then 77-89 % busy, the rest idle or in I/O wait); with eight, 160-300 ms. Cold pulls
  // ran some 5 % faster with four or eight than with two (issue #14); four it is, since each
  // buffer is RSS (SlowFollowersIT's bound). The pieces beyond the own two come from a budget all
  // fills share, so many fills at once still take two each.
  static final int MAX_BUFFERS = 4;
  static final int SHARED_BUDGET = 16;
  private static final AtomicInteger EXTRA_IN_USE = new AtomicInteger();
  // Staging buffers are aligned to this, so they suit any block size direct I/O is used with.
  private static final int ALIGNMENT = 64 * 1024;
  // Synced fills leave their buffers here for the next ones, up to this many (16 MiB).
  static final int MAX_POOLED = 16;
  private static final ConcurrentLinkedQueue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger POOLED = new AtomicInteger();
  // Threads that do nothing but positional direct writes; never waiting on anything else, so a
  // hashing worker waiting for one of them cannot deadlock (they are not Vert.x's worker pool).
  private static final ExecutorService DIRECT_WRITES =
      Executors.newFixedThreadPool(
          4,
          r -> {
            Thread t = new Thread(r, "portcullis-fill-write");
            t.setDaemon(true);
            return t;
          });
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private final Vertx vertx;
  private final Context context;
  private final FileChannel channel;
  private final MessageDigest md;
  // Set for direct I/O: bytes gather here until a whole piece can be written at an aligned offset.
  private ByteBuffer staging;
  private final int block;
  // Direct I/O (worker thread only): staging buffers free for the next piece, the writes on their
  // way in the order they were sent, and the offset of the next piece.
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
  private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();
  // The last direct write sent: each next one starts when it is done (one at a time per fill).
  private CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);
  // Staging buffers beyond OWN_BUFFERS, counted in EXTRA_IN_USE until the writer is done.
  private final int extra;
  private final AtomicBoolean extraReturned = new AtomicBoolean();
  private long staged;
  // Bytes in the file (worker thread only): a batch is on disk up to here when it completes.
  private long flushed;
  private final Queue<Batch> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  // Set by the worker on the first failure; every batch after it fails too.
  private volatile Throwable failed;

  /** Bytes to write at an offset, and who waits for them, completed on the fill's context. */
  private record Batch(List<Buffer> chunks, long at, Promise<Long> done) {}

  /** A direct write on its way: its staging buffer, and where the file will then hold bytes to. */
  private record PendingWrite(java.util.concurrent.Future<?> done, ByteBuffer buffer, long end) {}

  private FillWriter(
      Vertx vertx, Context context, FileChannel channel, MessageDigest md, int directBlock) {
    this.vertx = vertx;
    this.context = context;
    this.channel = channel;
    this.md = md;
    this.block = directBlock;
    this.extra = directBlock > 0 ? reserveExtra() : 0;
    if (directBlock > 0) {
      for (int i = 0; i < OWN_BUFFERS + extra; i++) {
        free.add(takeBuffer());
      }
      this.staging = free.poll();
    }
  }

  /**
   * An aligned staging buffer, from those synced fills left, else new. Allocated (and zeroed) for
   * each fill, they cost time to the first byte and, direct memory being bounded, a full collection
   * each time the JVM's limit was reached by buffers not yet collected.
   */
  private static ByteBuffer takeBuffer() {
    ByteBuffer b = POOL.poll();
    if (b != null) {
      POOLED.decrementAndGet();
      return b.clear().limit(DIRECT_CHUNK);
    }
    return ByteBuffer.allocateDirect(DIRECT_CHUNK + ALIGNMENT)
        .alignedSlice(ALIGNMENT)
        .limit(DIRECT_CHUNK);
  }

  /**
   * Gives this writer's buffers to the pool, up to {@link #MAX_POOLED} in it; only once every write
   * is done (after a failure they are left to the collector: a write may still hold one).
   */
  private void recycle() {
    if (staging == null) {
      return;
    }
    free.add(staging);
    staging = null;
    for (ByteBuffer b; (b = free.poll()) != null; ) {
      if (POOLED.incrementAndGet() <= MAX_POOLED) {
        POOL.add(b);
      } else {
        POOLED.decrementAndGet();
      }
    }
  }

  /** Staging buffers waiting in the pool for the next fills. */
  static int pooled() {
    return POOLED.get();
  }

  /** Takes what the shared budget has left of the extra buffers one fill may use. */
  private static int reserveExtra() {
    while (true) {
      int inUse = EXTRA_IN_USE.get();
      int take = Math.min(MAX_BUFFERS - OWN_BUFFERS, SHARED_BUDGET - inUse);
      if (take <= 0) {
        return 0;
      }
      if (EXTRA_IN_USE.compareAndSet(inUse, inUse + take)) {
        return take;
      }
    }
  }

  /** Gives this fill's extra buffers back to the budget, once, when the writer is done. */
  private void returnExtra() {
    if (extra > 0 && extraReturned.compareAndSet(false, true)) {
      EXTRA_IN_USE.addAndGet(-extra);
    }
  }

  /** Whether this writer writes with direct I/O (the page cache then holds none of the file). */
  boolean direct() {
    return block > 0;
  }

  /** Staging buffers this writer has (0 without direct I/O). */
  int stagingBuffers() {
    return staging == null ? 0 : OWN_BUFFERS + extra;
  }

  /** Extra staging buffers all writers hold now. */
  static int extraInUse() {
    return EXTRA_IN_USE.get();
  }

  /**
   * Creates {@code temp} (it must not exist) on a worker thread; completions are reported on the
   * caller's context.
   */
  static Future<FillWriter> create(Vertx vertx, Path temp, Digest digest, boolean direct) {
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(
        () -> {
          int block = direct ? directBlock(temp) : 0;
          FileChannel channel = null;
          if (block > 0) {
            try {
              channel = FileChannel.open(temp, Set.of(CREATE_NEW, WRITE, DIRECT));
            } catch (IOException | UnsupportedOperationException e) {
              // e.g. tmpfs: no direct I/O there; the page cache it is.
              if (WARNED.compareAndSet(false, true)) {
                LOG.info(
                    "cache: no direct I/O in {} ({}); writing through the page cache",
                    temp.getParent(),
                    e.toString());
              }
              Files.deleteIfExists(temp);
              block = 0;
            }
          }
          if (channel == null) {
            channel = FileChannel.open(temp, Set.of(CREATE_NEW, WRITE));
          }
          return new FillWriter(vertx, context, channel, digest.newMessageDigest(), block);
        },
        false);
  }

  private static final OpenOption CREATE_NEW = StandardOpenOption.CREATE_NEW;
  private static final OpenOption WRITE = StandardOpenOption.WRITE;
  private static final OpenOption DIRECT = ExtendedOpenOption.DIRECT;

  /** The block size direct writes must align to, or 0 when it cannot be known. */
  private static int directBlock(Path temp) {
    try {
      long b = Files.getFileStore(temp.getParent()).getBlockSize();
      return b > 0 && b <= ALIGNMENT && Long.bitCount(b) == 1 ? (int) b : 0;
    } catch (IOException | UnsupportedOperationException e) {
      return 0;
    }
  }

  /**
   * Hashes {@code chunks} and writes them at {@code at}, after every batch queued before; completes
   * on the caller's context with how far the file holds the blob's bytes (in the page cache, or on
   * the device with direct I/O; {@link #sync} makes them all durable): all of them with buffered
   * writes, up to the last whole direct piece with direct I/O (the rest waits in memory for the
   * next batch). Batches complete in the order they were queued.
   */
  Future<Long> write(List<Buffer> chunks, long at) {
    Promise<Long> done = Promise.promise();
    queue.add(new Batch(chunks, at, done));
    if (draining.compareAndSet(false, true)) {
      vertx.executeBlocking(this::drain, false);
    }
    return done.future();
  }

  /** Writes what is queued, on a worker thread, until the queue is empty. */
  private Void drain() {
    while (true) {
      Batch b;
      while ((b = queue.poll()) != null) {
        Throwable err = failed;
        if (err == null) {
          try {
            writeNow(b);
          } catch (IOException | RuntimeException e) {
            failed = err = e;
          }
        }
        Batch batch = b;
        Throwable outcome = err;
        long onDisk = flushed;
        context.runOnContext(
            v -> {
              if (outcome == null) {
                batch.done().complete(onDisk);
              } else {
                batch.done().fail(outcome);
              }
            });
      }
      draining.set(false);
      // A batch queued after the poll above and before the flag was cleared found it set.
      if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
        return null;
      }
    }
  }

  private void writeNow(Batch b) throws IOException {
    for (Buffer chunk : b.chunks()) {
      ByteBuf buf = ((BufferInternal) chunk).getByteBuf();
      ByteBuffer bytes = buf.nioBuffer(buf.readerIndex(), buf.readableBytes());
      md.update(bytes.duplicate());
      if (staging == null) {
        while (bytes.hasRemaining()) {
          flushed += channel.write(bytes, flushed);
        }
        continue;
      }
      while (bytes.hasRemaining()) {
        int n = Math.min(bytes.remaining(), staging.remaining());
        staging.put(bytes.slice(bytes.position(), n));
        bytes.position(bytes.position() + n);
        if (!staging.hasRemaining()) {
          sendStaged();
        }
      }
    }
    reap(false);
  }

  /**
   * Sends the full staging buffer to the disk on a writing thread and stages into the next free
   * one, waiting for the oldest write when none is free. Pieces go at {@link #staged}, which stays
   * aligned: direct writes go in whole pieces until the last one.
   */
  private void sendStaged() throws IOException {
    ByteBuffer out = staging.flip();
    long at = staged;
    staged += DIRECT_CHUNK;
    CompletableFuture<Void> done =
        lastWrite.thenRunAsync(
            () -> {
              try {
                writeFully(out, at);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            DIRECT_WRITES);
    lastWrite = done;
    pending.add(new PendingWrite(done, out, staged));
    while (free.isEmpty()) {
      reap(true);
    }
    staging = free.poll().clear().limit(DIRECT_CHUNK);
  }

  private Void writeFully(ByteBuffer out, long at) throws IOException {
    long pos = at;
    while (out.hasRemaining()) {
      pos += channel.write(out, pos);
    }
    return null;
  }

  /**
   * Takes the writes that are done, oldest first, into {@link #flushed} (which so counts only bytes
   * the file holds with none missing below them); with {@code waitForOne}, waits for the oldest
   * first. A write that failed fails the fill.
   */
  private void reap(boolean waitForOne) throws IOException {
    boolean wait = waitForOne;
    while (!pending.isEmpty() && (wait || pending.peek().done().isDone())) {
      PendingWrite w = pending.poll();
      try {
        w.done().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while writing the fill", e);
      } catch (ExecutionException e) {
        // get() unwraps CompletionException: the cause is the write's own (or an earlier one's)
        Throwable cause = e.getCause();
        if (cause instanceof UncheckedIOException u) {
          throw u.getCause();
        }
        throw cause instanceof IOException io ? io : new IOException(cause);
      }
      flushed = w.end();
      free.add(w.buffer());
      wait = false;
    }
  }

  /** Waits for every direct write on its way. */
  private void reapAll() throws IOException {
    while (!pending.isEmpty()) {
      reap(true);
    }
  }

  /** Whether the bytes written match {@code digest}; only once every write has completed. */
  boolean matches(Digest digest) {
    return digest.matches(md.digest());
  }

  /**
   * Writes what is still staged (the tail of a direct fill, padded to a block and cut back to
   * {@code length}), flushes the file to disk ({@code fsync}) and closes it. Only once every write
   * has completed.
   */
  Future<Void> sync(long length) {
    return vertx.executeBlocking(
        () -> {
          try (FileChannel c = channel) {
            reapAll();
            if (staging != null && staging.position() > 0) {
              int tail = staging.position();
              int padded = (tail + block - 1) / block * block;
              while (staging.position() < padded) {
                staging.put((byte) 0);
              }
              writeFully(staging.flip(), staged);
              c.truncate(length);
            }
            c.force(true);
            // every write is done: the buffers go to the next fill
            recycle();
          } finally {
            returnExtra();
          }
          return null;
        },
        false);
  }

  /** Closes the file; writes still queued then fail. */
  Future<Void> close() {
    return vertx.executeBlocking(
        () -> {
          closeQuietly();
          returnExtra();
          return null;
        },
        false);
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing was kept: the temp file is deleted next
    }
  }
}
