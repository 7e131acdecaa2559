package io.portcullis.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client's request body as the handlers read it. Every pause and resume the gateway makes goes
 * through here (directly, or through {@link #stream}, which pipes and collectors use), so the
 * body-stall deadline ({@link ConnectionDeadlines}) counts only time in which the gateway was
 * reading: while it holds the body (authenticating, opening the upstream session, or the upstream
 * taking the bytes slower than the client sends them) the client cannot be stalling, and the stall
 * clock starts afresh when the gateway reads again.
 */
final class ClientBody {
  // The body of each request under watch; requests without a body, or without deadlines, have
  // none, and the calls below only pause and resume them.
  private static final Map<HttpServerRequest, Watch> WATCHES = new ConcurrentHashMap<>();

  private ClientBody() {}

  /** The gateway stops reading {@code req}'s body for now. */
  static void hold(HttpServerRequest req) {
    req.pause();
    Watch w = WATCHES.get(req);
    if (w != null) {
      w.held = true;
    }
  }

  /** The gateway reads {@code req}'s body (again). */
  static void resume(HttpServerRequest req) {
    reading(req);
    req.resume();
  }

  /** {@code req}'s body as a stream whose pauses and resumes are the gateway's own. */
  static ReadStream<Buffer> stream(HttpServerRequest req) {
    return new Watched(req);
  }

  /** Starts watching {@code req}'s body for stalls (the clock runs from now). */
  static Watch watch(HttpServerRequest req) {
    Watch w = new Watch(req);
    WATCHES.put(req, w);
    return w;
  }

  /** Stops watching {@code req}'s body: its timer, if any, is cancelled by the caller. */
  static Watch unwatch(HttpServerRequest req) {
    return WATCHES.remove(req);
  }

  /** Bodies under watch (tests: none may outlive its request). */
  static int watched() {
    return WATCHES.size();
  }

  private static void reading(HttpServerRequest req) {
    Watch w = WATCHES.get(req);
    if (w != null && w.held) {
      w.held = false;
      w.restart(req.bytesRead());
    }
  }

  /** How long a body has gone without new bytes while the gateway was reading it. */
  static final class Watch {
    volatile boolean held;
    volatile long timer = -1;
    private volatile long lastRead;
    private volatile long since;

    private Watch(HttpServerRequest req) {
      restart(req.bytesRead());
    }

    private void restart(long read) {
      lastRead = read;
      since = System.nanoTime();
    }

    /**
     * Milliseconds the client has sent nothing while the gateway read, given the bytes read so far;
     * zero while the gateway holds the body or bytes are moving.
     */
    long stalledMs(long read) {
      if (read != lastRead || held) {
        restart(read);
        return 0;
      }
      return (System.nanoTime() - since) / 1_000_000;
    }
  }

  /** The request as a stream, reporting the gateway's pauses and resumes to its watch. */
  private static final class Watched implements ReadStream<Buffer> {
    private final HttpServerRequest req;

    Watched(HttpServerRequest req) {
      this.req = req;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      req.exceptionHandler(handler);
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      req.handler(handler);
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      hold(req);
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      ClientBody.resume(req);
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      reading(req);
      req.fetch(amount);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      req.endHandler(endHandler);
      return this;
    }
  }
}
