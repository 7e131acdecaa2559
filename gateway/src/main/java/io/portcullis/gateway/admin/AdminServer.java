package io.portcullis.gateway.admin;

import io.portcullis.gateway.config.AdminConfig;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;

/**
 * The admin listener, kept apart from the client API so it can be bound to an internal address:
 *
 * <ul>
 *   <li>{@code GET /metrics}: every meter in the Prometheus text format (rendered on a worker
 *       thread);
 *   <li>{@code GET /healthz}: 200 while the process runs (liveness);
 *   <li>{@code GET /readyz}: 200 once the client listener accepts requests with its policy loaded
 *       (and, with TLS, has been warmed up by handshakes with itself: {@code TlsWarmup}), 503
 *       before that and while shutting down (readiness: a load balancer stops sending work).
 * </ul>
 */
public final class AdminServer {
  /** The content type of the Prometheus text format, version 0.0.4. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private AdminServer(HttpServer server) {
    this.server = server;
  }

  public static Future<AdminServer> start(
      Vertx vertx, AdminConfig config, GatewayMetrics metrics, BooleanSupplier ready) {
    HttpServerOptions options =
        new HttpServerOptions().setHost(config.host()).setPort(config.port());
    return vertx
        .createHttpServer(options)
        .requestHandler(req -> handle(vertx, req, metrics, ready))
        .listen()
        .map(AdminServer::new);
  }

  private static void handle(
      Vertx vertx, HttpServerRequest req, GatewayMetrics metrics, BooleanSupplier ready) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
      return;
    }
    switch (req.path()) {
      case "/healthz" -> text(req, 200, "live\n");
      case "/readyz" -> {
        if (ready.getAsBoolean()) {
          text(req, 200, "ready\n");
        } else {
          text(req, 503, "not ready\n");
        }
      }
      case "/metrics" ->
          vertx
              .executeBlocking(() -> metrics.scrape().orElse(""), false)
              .onComplete(
                  ar -> {
                    if (ar.succeeded()) {
                      req.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(ar.result());
                    } else {
                      text(req, 500, "cannot render metrics\n");
                    }
                  });
      default -> text(req, 404, "not found: /metrics, /healthz, /readyz\n");
    }
  }

  private static void text(HttpServerRequest req, int status, String body) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(body);
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }
}
