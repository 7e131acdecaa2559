package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ResourceLeakDetector;
import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A body read into owned buffers arrives whole and in order, and every buffer goes back to the pool
 * once its reader releases it; the next response on the same connection, not armed, gets heap
 * copies only (nothing its reader would have to release), as do bodies never armed.
 */
class OwnedBodyTest {
  private static final int SIZE = 16 * 1024 * 1024;
  private static final byte[] BLOB = blob();

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private HttpServer server;
  private HttpClient client;
  private Context loop;

  @BeforeEach
  void start() throws Exception {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    Buffer body = Buffer.buffer(BLOB);
    server =
        vertx
            .createHttpServer()
            .requestHandler(req -> req.response().end(body))
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    loop = EventLoopContexts.of(vertx, 1).get(0);
    // one connection, so the second request reuses the first one's
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setMaxChunkSize(64 * 1024),
            new PoolOptions().setHttp1MaxSize(1));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
  }

  @Test
  void anArmedBodyIsWholeAndGoesBackToThePoolAndTheNextResponseOnItsConnectionIsNotOwned()
      throws Exception {
    Read armed = get(true);
    assertArrayEquals(sha256(BLOB), armed.digest, "the armed body's bytes");
    assertTrue(armed.owned > SIZE / 2, "most chunks owned, not copied: " + armed.owned);
    assertTrue(armed.paused, "held back at the socket and resumed");
    assertEquals(0, OwnedBody.buffersInUse(), "every owned buffer released");

    Read next = get(false);
    assertArrayEquals(sha256(BLOB), next.digest, "the next body's bytes");
    assertEquals(0, next.owned, "no owned chunk for a body nobody armed");
    assertEquals(0, OwnedBody.buffersInUse());
  }

  /** What a GET of the blob delivered: its digest, and how many of its bytes were owned. */
  private record Read(byte[] digest, long owned, boolean paused) {}

  private Read get(boolean arm) throws Exception {
    CompletableFuture<Read> done = new CompletableFuture<>();
    loop.runOnContext(
        v ->
            client
                .request(
                    new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setPort(server.actualPort())
                        .setHost("127.0.0.1")
                        .setURI("/blob"))
                .compose(req -> req.send())
                .onSuccess(resp -> read(resp, arm, done))
                .onFailure(done::completeExceptionally));
    return done.get(30, TimeUnit.SECONDS);
  }

  private void read(HttpClientResponse resp, boolean arm, CompletableFuture<Read> done) {
    MessageDigest md = sha256();
    long[] owned = {0};
    OwnedBody[] body = {null};
    boolean[] paused = {false};
    resp.handler(
        chunk -> {
          if (arm && body[0] == null) {
            body[0] = OwnedBody.arm(resp);
            assertNotNull(body[0], "an HTTP/1.1 connection of this loop can be armed");
          }
          md.update(((BufferInternal) chunk).getByteBuf().nioBuffer());
          if (OwnedBody.owned(chunk)) {
            owned[0] += chunk.length();
            OwnedBody.release(chunk);
            if (!paused[0]) {
              // as a fill does when its disk falls behind: no read until resumed
              paused[0] = true;
              body[0].pause();
              Promise<Void> later = Promise.promise();
              vertx.setTimer(50, t -> later.complete());
              later.future().onSuccess(x -> body[0].resume());
            }
          }
        });
    resp.exceptionHandler(done::completeExceptionally);
    resp.endHandler(v -> done.complete(new Read(md.digest(), owned[0], paused[0])));
  }

  private static byte[] blob() {
    byte[] b = new byte[SIZE];
    new java.util.SplittableRandom(7).nextBytes(b);
    return b;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }
}
