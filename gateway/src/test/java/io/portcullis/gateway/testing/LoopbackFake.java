package io.portcullis.gateway.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The skeleton of a fake registry of a test: a Vert.x HTTP server of its own on a free loopback
 * port (concurrent test classes never collide), answering with {@link #answer}; closed with it.
 */
abstract class LoopbackFake implements AutoCloseable {
  protected final Vertx vertx = Vertx.vertx();
  private HttpServer server;

  /** Answers one request. */
  protected abstract void answer(HttpServerRequest req);

  /** Starts listening. */
  protected final void listen() {
    server = await(vertx.createHttpServer().requestHandler(this::answer).listen(0, "127.0.0.1"));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The registry's 404 for a name it does not know. */
  protected static void notFound(HttpServerResponse res) {
    res.setStatusCode(404)
        .putHeader("Content-Type", "application/json")
        .end("{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"unknown\"}]}");
  }

  @Override
  public void close() {
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Vert.x did not answer in 10 s", e);
    }
  }
}
