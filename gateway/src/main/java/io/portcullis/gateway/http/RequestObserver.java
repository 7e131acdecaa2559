package io.portcullis.gateway.http;

import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the client API: gives every request an id (the client's {@code X-Request-Id} when it is a
 * plain token, else a fresh one), echoes it in the response, and when the response is done records
 * the request in the metrics and writes one access-log line carrying the id, the client's address
 * and the query (values of unknown parameters masked). It tells the {@link ConnectionDeadlines}
 * when a request starts and ends. The id also goes into the access and decision audit records and,
 * through the request's {@link UpstreamRoute}, on to every upstream request made for it. Runs
 * synchronously before the API handler, which still pauses the request before any asynchronous
 * step.
 */
public final class RequestObserver implements Handler<HttpServerRequest> {
  public static final String HEADER = UpstreamRoute.REQUEST_ID_HEADER;
  private static final Logger ACCESS = LoggerFactory.getLogger("io.portcullis.access");
  // Anything else (spaces, quotes, control characters, very long values) could forge log lines.
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:+/=-]{1,128}");
  private static final SecureRandom RANDOM = new SecureRandom();
  // Vert.x keeps one close handler per connection, and this observer owns it; other handlers hang
  // what must happen when the client's connection drops mid-request here (onConnectionClose).
  private static final Map<HttpServerRequest, List<Runnable>> CLOSE_HOOKS =
      new ConcurrentHashMap<>();

  // Query parameters whose values are logged; anything else (a token or password a client put in
  // the query by mistake) is logged by name only.
  static final Set<String> LOGGED_PARAMETERS =
      Set.of(
          "ns",
          "n",
          "last",
          "digest",
          "mount",
          "from",
          "artifactType",
          "scope",
          "service",
          "account",
          "offline_token",
          "client_id");
  static final int MAX_LOGGED_QUERY = 256;

  private final Handler<HttpServerRequest> api;
  private final GatewayMetrics metrics;
  private final ConnectionDeadlines deadlines;

  /** {@code deadlines} may be null (no connection deadlines: tests of the observer alone). */
  public RequestObserver(
      Handler<HttpServerRequest> api, GatewayMetrics metrics, ConnectionDeadlines deadlines) {
    this.api = api;
    this.metrics = metrics;
    this.deadlines = deadlines;
  }

  @Override
  public void handle(HttpServerRequest req) {
    long start = System.nanoTime();
    // A request is handled on the event loop of the listener that accepted its connection.
    metrics.eventLoopRequest(Thread.currentThread().getName());
    String id = requestId(req.getHeader(HEADER));
    // Handlers read the id from here (audit records); an unsafe value offered is replaced.
    req.headers().set(HEADER, id);
    HttpServerResponse res = req.response();
    res.headersEndHandler(v -> res.putHeader(HEADER, id));
    // Recorded once: when the response has ended, or when its connection closes before that. The
    // response's own closeHandler belongs to the proxy handlers (VerifyingPipe), so the broken
    // case is seen on the connection; HTTP/1.1 carries one request at a time per connection.
    boolean[] recorded = {false};
    List<Runnable> hooks = new ArrayList<>();
    CLOSE_HOOKS.put(req, hooks);
    Handler<Boolean> once =
        connectionClosed -> {
          if (!recorded[0]) {
            recorded[0] = true;
            CLOSE_HOOKS.remove(req);
            if (deadlines != null) {
              deadlines.requestEnded(req, connectionClosed);
            }
            done(req, id, start);
          }
        };
    res.endHandler(v -> once.handle(false));
    HttpConnection connection = req.connection();
    if (connection != null) {
      connection.closeHandler(
          v -> {
            if (!recorded[0]) {
              hooks.forEach(Runnable::run);
            }
            once.handle(true);
            if (deadlines != null) {
              deadlines.connectionClosed(connection);
            }
          });
    }
    if (deadlines != null) {
      deadlines.requestStarted(req);
    }
    api.handle(req);
  }

  /**
   * Runs {@code hook} if the client's connection closes before {@code req}'s response has ended.
   * Handlers must use this rather than the connection's close handler, of which there is one: the
   * observer's (setting another would silence the metrics and access line of a broken transfer).
   */
  static void onConnectionClose(HttpServerRequest req, Runnable hook) {
    List<Runnable> hooks = CLOSE_HOOKS.get(req);
    if (hooks != null) {
      hooks.add(hook);
    }
  }

  /** The id given to {@code req} (null when it did not pass through an observer). */
  static String id(HttpServerRequest req) {
    return req.getHeader(HEADER);
  }

  /** The client's id when it is safe to log and echo, else 16 random bytes in hex. */
  static String requestId(String offered) {
    if (offered != null && ACCEPTED.matcher(offered).matches()) {
      return offered;
    }
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The kind of resource a path names, a bounded label for metrics. */
  static String routeKind(String path) {
    if ("/token".equals(path)) {
      return "token";
    }
    try {
      OciRoute route = OciRoute.parse(path);
      if (route instanceof OciRoute.Base) {
        return "base";
      } else if (route instanceof OciRoute.Manifest) {
        return "manifest";
      } else if (route instanceof OciRoute.Blob) {
        return "blob";
      } else if (route instanceof OciRoute.UploadStart || route instanceof OciRoute.Upload) {
        return "upload";
      } else if (route instanceof OciRoute.TagList) {
        return "tags";
      }
      return "referrers";
    } catch (RuntimeException invalid) {
      return "invalid";
    }
  }

  private void done(HttpServerRequest req, String id, long start) {
    HttpServerResponse res = req.response();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    // A response that did not end was broken off (client gone, or a bad upstream body reset it).
    int status = res.ended() ? res.getStatusCode() : 0;
    String route = routeKind(req.path());
    metrics.request(route, req.method().name(), status, took);
    if (ACCESS.isInfoEnabled()) {
      String query = loggableQuery(req.query());
      ACCESS
          .atInfo()
          .addKeyValue("requestId", id)
          .addKeyValue("method", req.method().name())
          .addKeyValue("path", req.path())
          .addKeyValue("route", route)
          .addKeyValue("status", status)
          .addKeyValue("bytes", res.bytesWritten())
          .addKeyValue("durationMs", took.toMillis())
          .addKeyValue("client", AccessGate.address(req))
          .addKeyValue("query", query)
          .log(
              "{} {} {}{} {} {} {}B {}ms id={}",
              AccessGate.address(req),
              req.method(),
              req.path(),
              query.isEmpty() ? "" : "?" + query,
              status,
              route,
              res.bytesWritten(),
              took.toMillis(),
              id);
    }
  }

  /**
   * The query as it may be logged: the values of {@link #LOGGED_PARAMETERS} as sent, other values
   * (and pairs without {@code =} but for those names) replaced by {@code *}; characters outside
   * printable ASCII as {@code ?}; at most {@value #MAX_LOGGED_QUERY} characters.
   */
  static String loggableQuery(String query) {
    if (query == null || query.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (String pair : query.split("&", -1)) {
      if (sb.length() > MAX_LOGGED_QUERY) {
        break;
      }
      if (sb.length() > 0) {
        sb.append('&');
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      // A pair without '=' is all value as far as a log reader knows (a token pasted as the
      // query): only a known name is written as sent.
      sb.append(
          LOGGED_PARAMETERS.contains(name)
              ? pair
              : eq < 0 ? (pair.isEmpty() ? "" : "*") : name + "=*");
    }
    for (int i = 0; i < sb.length(); i++) {
      char c = sb.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        sb.setCharAt(i, '?');
      }
    }
    if (sb.length() > MAX_LOGGED_QUERY) {
      sb.setLength(MAX_LOGGED_QUERY - 3);
      sb.append("...");
    }
    return sb.toString();
  }
}
