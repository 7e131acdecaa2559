package io.portcullis.gateway.cache;

import io.netty.buffer.ByteBuf;
import io.portcullis.core.oci.Digest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hashes a fill's bytes and writes them to its temp file on a worker thread, behind the event loop
 * that receives them: on the loop, the hash and a copy into a write batch took about as long as
 * receiving and forwarding the bytes. Batches are queued, and one worker drains the queue for as
 * long as it holds any, in order (the hash must see the bytes in order): a round trip between the
 * loop and a worker per batch, which under load waits for both to be scheduled, paced the whole
 * fill (and the upstream with it) at a fraction of what the disk takes. The bytes are the
 * upstream's own buffers, never copied here (the readers share them too: nothing writes to them
 * once received).
 */
final class FillWriter {
  private final Vertx vertx;
  private final Context context;
  private final FileChannel channel;
  private final MessageDigest md;
  private final Queue<Batch> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  // Set by the worker on the first failure; every batch after it fails too.
  private volatile Throwable failed;

  /** Bytes to write at an offset, and who waits for them, completed on the fill's context. */
  private record Batch(List<Buffer> chunks, long at, Promise<Void> done) {}

  private FillWriter(Vertx vertx, Context context, FileChannel channel, MessageDigest md) {
    this.vertx = vertx;
    this.context = context;
    this.channel = channel;
    this.md = md;
  }

  /**
   * Creates {@code temp} (it must not exist) on a worker thread; completions are reported on the
   * caller's context.
   */
  static Future<FillWriter> create(Vertx vertx, Path temp, Digest digest) {
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(
        () ->
            new FillWriter(
                vertx,
                context,
                FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                digest.newMessageDigest()),
        false);
  }

  /**
   * Hashes {@code chunks} and writes them at {@code at}, after every batch queued before; completes
   * on the caller's context when they are on disk (in the page cache; {@link #sync} makes them
   * durable). Batches complete in the order they were queued.
   */
  Future<Void> write(List<Buffer> chunks, long at) {
    Promise<Void> done = Promise.promise();
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
        context.runOnContext(
            v -> {
              if (outcome == null) {
                batch.done().complete();
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
    long position = b.at();
    for (Buffer chunk : b.chunks()) {
      ByteBuf buf = ((BufferInternal) chunk).getByteBuf();
      ByteBuffer bytes = buf.nioBuffer(buf.readerIndex(), buf.readableBytes());
      md.update(bytes.duplicate());
      while (bytes.hasRemaining()) {
        position += channel.write(bytes, position);
      }
    }
  }

  /** Whether the bytes written match {@code digest}; only once every write has completed. */
  boolean matches(Digest digest) {
    return digest.matches(md.digest());
  }

  /** Flushes the file to disk ({@code fsync}) and closes it. */
  Future<Void> sync() {
    return vertx.executeBlocking(
        () -> {
          try (FileChannel c = channel) {
            c.force(true);
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
