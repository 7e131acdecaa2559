package io.portcullis.gateway.http;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes client connections that hold the gateway without using it (slowloris): a new connection
 * whose first request head is not complete within {@code server.readHeaderTimeout}, a connection
 * with no request in flight for {@code server.idleTimeout}, and a request whose body makes no
 * progress for {@code server.bodyStallTimeout} (answered 408 first when nothing was sent yet).
 *
 * <p>Vert.x shows a request only once its head is complete and offers no per-connection byte count,
 * so a head that trickles in on a reused keep-alive connection is bounded by the idle deadline, not
 * the head deadline. Socket-level idle timeouts are not used: they would also cut a long download
 * (the client sends nothing) or a client waiting for a cache fill to be verified.
 */
public final class ConnectionDeadlines implements Handler<HttpConnection> {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionDeadlines.class);

  private final Vertx vertx;
  private final long idleMs;
  private final long headMs;
  private final long bodyStallMs;
  // The timer waiting for each connection's next request head; every connection's events run on
  // its own event loop, the map is shared between loops.
  private final Map<HttpConnection, Long> waiting = new ConcurrentHashMap<>();

  public ConnectionDeadlines(Vertx vertx, ServerConfig server) {
    this.vertx = vertx;
    this.idleMs = server.idleTimeout().toMillis();
    this.headMs = server.readHeaderTimeout().toMillis();
    this.bodyStallMs = server.bodyStallTimeout().toMillis();
  }

  /** A new connection: its first request head must be complete within the head deadline. */
  @Override
  public void handle(HttpConnection connection) {
    // Replaced by the RequestObserver's for each request, which calls connectionClosed too.
    connection.closeHandler(v -> connectionClosed(connection));
    await(connection, headMs, "no complete request head");
  }

  /** {@code connection} closed: its timer goes with it, rather than holding it until it fires. */
  void connectionClosed(HttpConnection connection) {
    Long timer = waiting.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** Connections with a deadline pending (tests: none may outlive its connection). */
  int pending() {
    return waiting.size();
  }

  /** A request head arrived on {@code req}'s connection; its body, if any, is watched. */
  void requestStarted(HttpServerRequest req) {
    HttpConnection connection = req.connection();
    if (connection == null) {
      return;
    }
    Long timer = waiting.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    if (expectsBody(req)) {
      watchBody(req);
    }
  }

  /** {@code req}'s response is over: the connection may idle until its next request. */
  void requestEnded(HttpServerRequest req, boolean connectionClosed) {
    ClientBody.Watch body = ClientBody.unwatch(req);
    if (body != null && body.timer >= 0) {
      vertx.cancelTimer(body.timer);
    }
    HttpConnection connection = req.connection();
    if (connection != null && !connectionClosed) {
      await(connection, idleMs, "idle");
    }
  }

  private void await(HttpConnection connection, long ms, String why) {
    long timer =
        vertx.setTimer(
            ms,
            id -> {
              if (waiting.remove(connection, id)) {
                LOG.debug(
                    "closing connection from {}: {} for {} ms",
                    connection.remoteAddress(),
                    why,
                    ms);
                connection.close();
              }
            });
    Long previous = waiting.put(connection, timer);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }

  /** A body is due when the head announces one (RFC 9112 section 6.3). */
  private static boolean expectsBody(HttpServerRequest req) {
    if (req.headers().contains("Transfer-Encoding")) {
      return true;
    }
    String length = req.getHeader("Content-Length");
    return length != null && !length.strip().equals("0");
  }

  /**
   * Checks the body's progress every so often; time in which the gateway itself held the body
   * (ClientBody) does not count. Cancelled when the request ends or its connection closes.
   */
  private void watchBody(HttpServerRequest req) {
    ClientBody.Watch body = ClientBody.watch(req);
    long period = Math.max(100, Math.min(1000, bodyStallMs / 4));
    body.timer =
        vertx.setPeriodic(
            period,
            id -> {
              if (req.isEnded() || req.response().ended() || req.response().closed()) {
                vertx.cancelTimer(id);
                return;
              }
              if (body.stalledMs(req.bytesRead()) < bodyStallMs) {
                return;
              }
              vertx.cancelTimer(id);
              stalled(req);
            });
  }

  private void stalled(HttpServerRequest req) {
    LOG.debug(
        "{} {} id={}: no body bytes for {} ms; closing the connection",
        req.method(),
        req.path(),
        RequestObserver.id(req),
        bodyStallMs);
    var res = req.response();
    HttpConnection connection = req.connection();
    if (res.headWritten()) {
      connection.close();
      return;
    }
    res.putHeader("Connection", "close");
    ErrorResponder.send(
            res,
            OciException.withStatus(
                OciErrorCode.SIZE_INVALID,
                408,
                "no request body bytes arrived for "
                    + bodyStallMs / 1000
                    + " s; send the body without pausing"))
        .onComplete(written -> connection.close());
  }
}
