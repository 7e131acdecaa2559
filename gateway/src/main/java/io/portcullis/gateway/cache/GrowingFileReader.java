package io.portcullis.gateway.cache;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;

/**
 * Serves a blob to one client from a {@link BlobFill}'s temp file while it is being written: reads
 * what is on disk, waits for the fill's next progress when it has caught up, and ends the response
 * only when the fill is verified and stored (or its commit failed). The last chunk is held back
 * until the fill is verified, so on a failed fill the connection is reset and the client never sees
 * a clean end. A reader at the head of the fill takes the bytes just written from memory ({@link
 * BlobFill#recent}) instead of reading them back. The client's write queue paces the reads; the
 * fill never waits for a reader.
 */
public final class GrowingFileReader {
  // One read is one worker-thread round trip: under load that, not the disk, bounds a follower's
  // rate, so read what is there up to 1 MiB (at most 2 MiB per follower in memory, with the held
  // chunk).
  private static final int CHUNK = 1024 * 1024;

  /** How a follower's transfer ended. */
  public enum Outcome {
    VERIFIED,
    FILL_FAILED,
    CLIENT_GONE,
    /** The fill was verified and moved into the store before this reader could open it. */
    MOVED
  }

  private final BlobFill fill;
  private final HttpServerResponse res;
  private final Promise<Outcome> done = Promise.promise();
  private final Context context;
  private AsyncFile file;
  private Buffer held;
  private long position;
  private boolean reading;
  private boolean ending;

  private GrowingFileReader(Vertx vertx, BlobFill fill, HttpServerResponse res) {
    this.fill = fill;
    this.res = res;
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Streams {@code fill} into {@code res}, whose status and headers are set; the fill must be
   * streaming or verified. Completes (never fails) when the transfer is over.
   */
  public static Future<Outcome> follow(Vertx vertx, BlobFill fill, HttpServerResponse res) {
    GrowingFileReader r = new GrowingFileReader(vertx, fill, res);
    res.closeHandler(v -> r.finish(Outcome.CLIENT_GONE));
    vertx
        .fileSystem()
        .open(fill.temp().toString(), new OpenOptions().setRead(true).setCreate(false))
        .onSuccess(
            f -> {
              r.file = f;
              if (r.done.future().isComplete()) {
                f.close();
              } else {
                r.pump();
              }
            })
        .onFailure(
            err -> {
              if (fill.state() == BlobFill.State.VERIFIED) {
                r.finish(Outcome.MOVED);
              } else {
                r.fail();
              }
            });
    return r.done.future();
  }

  private void pump() {
    if (done.future().isComplete() || reading || ending) {
      return;
    }
    // The state first: once it reads VERIFIED, every byte is already counted in written.
    BlobFill.State state = fill.state();
    long written = fill.written();
    long available = written - position;
    if (available > 0) {
      int n = (int) Math.min(available, CHUNK);
      Buffer inMemory = fill.recent(position, n);
      if (inMemory != null) {
        deliver(inMemory);
        return;
      }
      reading = true;
      file.read(Buffer.buffer(n), 0, position, n)
          .onComplete(
              ar -> {
                reading = false;
                if (ar.failed() || ar.result().length() == 0) {
                  fail();
                  return;
                }
                deliver(ar.result());
              });
      return;
    }
    switch (state) {
      case VERIFIED -> {
        // Once, and never again from a drain: the write of the last bytes below can fill the write
        // queue, and the drain handler set for earlier writes then ran this step a second time,
        // which found nothing held and ended the response while those bytes were still queued; a
        // connection that closes as its response ends (any, during a graceful shutdown) dropped
        // them (OperationsIT lost the last 26-58 KiB of a drain at SIGTERM).
        ending = true;
        res.drainHandler(null);
        // The last bytes must be on the wire before the response ends: a graceful shutdown closes
        // the connection as soon as the response has ended, dropping what is still queued.
        Future<Void> last = held == null ? Future.succeededFuture() : res.write(held);
        held = null;
        // And the blob must be in the store (or have failed to get there): a client holding the
        // whole blob may count on the next request being a hit, and a graceful shutdown, which
        // waits for this response, thereby waits for the commit too.
        last.onComplete(
            ar ->
                fill.stored()
                    .onComplete(
                        stored ->
                            context.runOnContext(
                                v -> {
                                  if (ar.succeeded() && !done.future().isComplete()) {
                                    res.end();
                                  }
                                  finish(Outcome.VERIFIED);
                                })));
      }
      case FAILED -> fail();
      default -> fill.onProgress(written, state, () -> context.runOnContext(v -> pump()));
    }
  }

  /** Sends what was held and holds {@code next}, then goes on when the client can take more. */
  private void deliver(Buffer next) {
    position += next.length();
    if (held != null) {
      res.write(held);
    }
    held = next;
    if (res.writeQueueFull()) {
      res.drainHandler(v -> pump());
    } else {
      pump();
    }
  }

  private void fail() {
    if (finish(Outcome.FILL_FAILED)) {
      res.reset();
    }
  }

  private boolean finish(Outcome outcome) {
    if (!done.tryComplete(outcome)) {
      return false;
    }
    if (file != null) {
      file.close();
    }
    return true;
  }
}
