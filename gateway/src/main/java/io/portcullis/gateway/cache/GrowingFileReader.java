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
 * Serves a blob to one client from a {@link BlobFill} while it is being written: sends the bytes
 * received as soon as they arrive, from memory near the head of the fill ({@link
 * BlobFill#inMemory}) and from the temp file behind it, waits for the fill's next progress when it
 * has caught up, and ends the response only when the fill is verified. Only the blob's final bytes
 * wait for the verification: with a known length its last byte, without one the end of the chunked
 * body; so on a failed fill the connection is reset and the client never sees a clean end. What the
 * client has not yet taken paces this reader; the fill waits for a reader only for a moment ({@link
 * BlobFill#HOLD_NANOS}), then the reader takes what it is missing from the temp file.
 */
public final class GrowingFileReader {
  // One read of the file is one worker-thread round trip: read what is there up to 256 KiB. Each
  // read goes through a heap buffer, a per-thread direct buffer of the JDK on the worker (kept,
  // one per worker thread) and a direct copy for the socket: with 1 MiB reads, 8 slow followers
  // grew RSS by 38-59 MiB in SlowFollowersIT, with 256 KiB by 27-42.
  private static final int CHUNK = 256 * 1024;
  // Bytes written to the client and not yet handed to its socket: at or above the high mark
  // nothing more is read or written until they are down to the low mark. Counted here, from the
  // writes' completions, because Vert.x 5's writeQueueFull counts queued messages (16 of them),
  // not bytes: sixteen 1 MiB chunks per slow client passed for a queue that was not full.
  static final long UNSENT_HIGH = 1024 * 1024;
  private static final long UNSENT_LOW = UNSENT_HIGH / 2;

  /** How a follower's transfer ended. */
  public enum Outcome {
    VERIFIED,
    FILL_FAILED,
    CLIENT_GONE,
    /** The fill was verified and moved into the store before this reader could open it. */
    MOVED
  }

  /**
   * The one continuation a reader is waiting for. Only {@link #pump} starts one, and only when none
   * is pending: each entry that found the reader idle used to register one more progress waiter
   * (and the drain handler, never cleared, entered it too), each of which then read and wrote one
   * more chunk whatever the client's queue held.
   */
  private enum Waiting {
    NOTHING,
    OPEN,
    READ,
    DRAIN,
    PROGRESS,
    END
  }

  private final BlobFill fill;
  private final HttpServerResponse res;
  private final Promise<Outcome> done = Promise.promise();
  // All of this reader's state lives on its client's context; the fill calls back from its own.
  private final Context context;
  private Future<AsyncFile> file;
  private long position;
  // Where this reader is, for the fill's window (set before the reader runs).
  private BlobFill.Follower follower;
  // Bytes sent from the temp file: the follower fell behind what the fill keeps in memory.
  private long fromFile;
  private long unsent;
  private Future<Void> lastWrite = Future.succeededFuture();
  private Waiting waiting = Waiting.NOTHING;

  private GrowingFileReader(Context context, BlobFill fill, HttpServerResponse res) {
    this.fill = fill;
    this.res = res;
    this.context = context;
  }

  /**
   * Streams {@code fill} into {@code res}, whose status and headers are set, on {@code context}
   * (the client connection's); the fill must be streaming or verified. Completes (never fails) when
   * the transfer is over.
   */
  public static Future<Outcome> follow(
      Vertx vertx, Context context, BlobFill fill, HttpServerResponse res) {
    GrowingFileReader r = new GrowingFileReader(context, fill, res);
    // Counted at once: the fill keeps its window for the readers that may still take from it.
    r.follower = fill.join();
    r.onContext(
        () -> {
          res.closeHandler(v -> r.finish(Outcome.CLIENT_GONE));
          // Opened at once, but waited for only when bytes have left memory: the first bytes go
          // out before the file is open.
          r.file =
              vertx
                  .fileSystem()
                  .open(fill.temp().toString(), new OpenOptions().setRead(true).setCreate(false));
          r.file.onSuccess(
              f -> {
                if (r.done.future().isComplete()) {
                  f.close();
                }
              });
          r.pump();
        });
    return r.done.future();
  }

  /** Runs the continuation {@code what}, if it is the one pending; any other call is stale. */
  private void resume(Waiting what) {
    if (waiting == what) {
      waiting = Waiting.NOTHING;
      pump();
    }
  }

  /**
   * Sends what can be sent, then leaves exactly one continuation pending: the file's opening, a
   * read of it, the client's socket taking what was written, the fill's progress, or the end.
   * Nothing is read or written while {@link #UNSENT_HIGH} bytes wait for the client's socket, so a
   * follower holds at most that plus one chunk: 2 MiB, whatever the blob and however slow the
   * client.
   */
  private void pump() {
    while (waiting == Waiting.NOTHING && !done.future().isComplete()) {
      if (unsent >= UNSENT_HIGH) {
        waiting = Waiting.DRAIN;
        return;
      }
      // The state first: once it reads VERIFIED, every byte is already counted in received.
      BlobFill.State state = fill.state();
      long received = fill.received();
      long available = sendable(state, received) - position;
      if (available > 0) {
        int n = (int) Math.min(available, CHUNK);
        BlobFill.InMemory inMemory = fill.inMemory(position, n);
        if (inMemory != null) {
          send(inMemory.bytes()).onComplete(ar -> inMemory.release());
          continue;
        }
        readFile(n);
        return;
      }
      switch (state) {
        case VERIFIED -> end();
        case FAILED -> fail();
        default -> {
          waiting = Waiting.PROGRESS;
          fill.onProgress(received, state, () -> onContext(() -> resume(Waiting.PROGRESS)));
        }
      }
      return;
    }
  }

  /**
   * How far the client may be sent: all that was received once the fill is verified; before, all
   * but the last byte of a blob whose length is known (the client must not hold the whole blob
   * before it is checked), and all of one sent chunked, whose end is the terminating chunk.
   */
  private long sendable(BlobFill.State state, long received) {
    long length = fill.expectedLength();
    if (state == BlobFill.State.VERIFIED || length < 0) {
      return received;
    }
    return Math.min(received, length - 1);
  }

  /** Reads up to {@code max} bytes at the position from the temp file: they left memory. */
  private void readFile(int max) {
    if (!file.isComplete()) {
      waiting = Waiting.OPEN;
      file.onComplete(ar -> onContext(() -> resume(Waiting.OPEN)));
      return;
    }
    if (file.failed()) {
      // The temp file was gone before this reader opened it: moved into the store, when the fill
      // is verified; a response not yet begun is then served from there.
      if (position == 0 && fill.state() == BlobFill.State.VERIFIED) {
        finish(Outcome.MOVED);
      } else {
        fail();
      }
      return;
    }
    // What left memory is on disk: bytes are let go of only once written.
    int n = (int) Math.min(max, fill.written() - position);
    waiting = Waiting.READ;
    file.result()
        .read(Buffer.buffer(n), 0, position, n)
        .onComplete(ar -> onContext(() -> read(ar.result(), ar.cause())));
  }

  private void read(Buffer bytes, Throwable err) {
    if (done.future().isComplete()) {
      return;
    }
    if (err != null || bytes.length() == 0) {
      fail();
      return;
    }
    fromFile += bytes.length();
    send(bytes);
    resume(Waiting.READ);
  }

  /**
   * Writes {@code bytes}, counted as unsent until the connection has handed them on; the future
   * completes when it has (or failed to), and the bytes may be let go of.
   */
  private Future<Void> send(Buffer bytes) {
    int n = bytes.length();
    position += n;
    follower.position = position;
    fill.readerMoved();
    unsent += n;
    try {
      lastWrite = res.write(bytes);
    } catch (RuntimeException closed) {
      lastWrite = Future.failedFuture(closed);
    }
    lastWrite.onComplete(ar -> onContext(() -> sent(n)));
    return lastWrite;
  }

  private void sent(int n) {
    unsent -= n;
    if (unsent <= UNSENT_LOW) {
      resume(Waiting.DRAIN);
    }
  }

  /** Runs {@code r} on this reader's context, where all its state lives. */
  private void onContext(Runnable r) {
    if (Vertx.currentContext() == context) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }

  /**
   * Ends the response once every byte is on the wire; the fill is verified by then. Reached once:
   * no continuation is pending after it.
   */
  private void end() {
    waiting = Waiting.END;
    // The last bytes must be on the wire before the response ends: a graceful shutdown closes
    // the connection as soon as the response has ended, dropping what is still queued
    // (OperationsIT lost the last 26-58 KiB of a drain at SIGTERM when the end ran twice).
    // It does not wait for the blob to be durable in the store (an fsync of the whole blob, 160
    // ms for 512 MiB here, was part of every cold pull's time): a request for the blob meanwhile
    // finds the verified fill and is served from the store once it is there, and a graceful
    // shutdown waits for fills to settle after the last response.
    lastWrite.onComplete(
        ar ->
            onContext(
                () -> {
                  if (ar.succeeded() && !done.future().isComplete()) {
                    res.end();
                  }
                  finish(Outcome.VERIFIED);
                }));
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
    fill.leave(follower, position - fromFile, fromFile);
    if (file != null && file.succeeded()) {
      file.result().close();
    }
    return true;
  }
}
