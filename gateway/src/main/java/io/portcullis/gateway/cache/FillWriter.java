package io.portcullis.gateway.cache;

import io.netty.buffer.ByteBuf;
import io.portcullis.core.oci.Digest;
import io.vertx.core.Future;
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

/**
 * Hashes a fill's bytes and writes them to its temp file on worker threads, one batch after the
 * other, behind the event loop that receives them: on the loop, the hash and a copy into a write
 * batch took about as long as receiving and forwarding the bytes, and a cold transfer ran at a
 * third of distribution's rate on two cores. The bytes are the upstream's own buffers, never copied
 * here (the readers share them too: nothing writes to them once received).
 */
final class FillWriter {
  private final Vertx vertx;
  private final FileChannel channel;
  private final MessageDigest md;
  // Each batch starts once the one before is done: the hash must see the bytes in order. What
  // the chain's steps touch (md, channel) is handed from one worker to the next through it.
  private Future<Void> tail = Future.succeededFuture();

  private FillWriter(Vertx vertx, FileChannel channel, MessageDigest md) {
    this.vertx = vertx;
    this.channel = channel;
    this.md = md;
  }

  /** Creates {@code temp} (it must not exist) on a worker thread. */
  static Future<FillWriter> create(Vertx vertx, Path temp, Digest digest) {
    return vertx.executeBlocking(
        () ->
            new FillWriter(
                vertx,
                FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                digest.newMessageDigest()),
        false);
  }

  /**
   * Hashes {@code chunks} and writes them at {@code at}, after every batch queued before; completes
   * when they are on disk (in the page cache; {@link #sync} makes them durable).
   */
  Future<Void> write(List<Buffer> chunks, long at) {
    tail =
        tail.compose(
            v ->
                vertx.executeBlocking(
                    () -> {
                      long position = at;
                      for (Buffer chunk : chunks) {
                        ByteBuf buf = ((BufferInternal) chunk).getByteBuf();
                        ByteBuffer bytes = buf.nioBuffer(buf.readerIndex(), buf.readableBytes());
                        md.update(bytes.duplicate());
                        while (bytes.hasRemaining()) {
                          position += channel.write(bytes, position);
                        }
                      }
                      return null;
                    },
                    false));
    return tail;
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

  /** Closes the file, after the writes queued. */
  Future<Void> close() {
    return tail.transform(
        ar ->
            vertx.executeBlocking(
                () -> {
                  closeQuietly();
                  return null;
                },
                false));
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing was kept: the temp file is deleted next
    }
  }
}
