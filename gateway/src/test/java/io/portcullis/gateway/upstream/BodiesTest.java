package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Bodies#collect}: the cap holds, and an upstream body over it is not read to its end. */
class BodiesTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void anUpstreamBodyOverTheCapIsCutOffNotDownloaded() throws Exception {
    AtomicLong sent = new AtomicLong();
    Promise<Long> closed = Promise.promise();
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    // An endless body: only the gateway giving up ends it.
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  var res = req.response().setChunked(true);
                  res.closeHandler(v -> closed.tryComplete(sent.get()));
                  vertx.setPeriodic(
                      1,
                      id -> {
                        if (closed.future().isComplete()) {
                          vertx.cancelTimer(id);
                          return;
                        }
                        if (!res.writeQueueFull()) {
                          res.write(chunk);
                          sent.addAndGet(chunk.length());
                        }
                      });
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    HttpClient client = vertx.createHttpClient();
    Future<Buffer> body =
        onContext(
            () ->
                client
                    .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                    .compose(req -> req.send())
                    .compose(resp -> Bodies.collect(resp, 1024 * 1024)));

    Throwable err = body.transform(Future::succeededFuture).await(10, TimeUnit.SECONDS).cause();
    assertTrue(err instanceof OciException e && e.status() == 413, "refused over the cap: " + err);
    long total = closed.future().await(10, TimeUnit.SECONDS);
    assertTrue(total < 64L * 1024 * 1024, "the upstream stopped after " + total + " bytes");
    assertEquals(true, closed.future().succeeded());
  }

  @Test
  void aBodyWithinTheCapIsCollectedWhole() throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(req -> req.response().end("0123456789"))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    HttpClient client = vertx.createHttpClient();
    Buffer body =
        onContext(
                () ->
                    client
                        .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                        .compose(req -> req.send())
                        .compose(resp -> Bodies.collect(resp, 10)))
            .await(10, TimeUnit.SECONDS);
    assertEquals("0123456789", body.toString());
  }

  /**
   * Runs an exchange on one Vert.x context, as the gateway's own requests always are. Built on the
   * test thread instead, each future may belong to another context; the response's listener then
   * runs as a later task, after the response has ended, and setting its handlers throws (1 run in
   * about 1,000 did).
   */
  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> exchange) {
    Promise<T> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> exchange.get().onComplete(result));
    return result.future();
  }
}
