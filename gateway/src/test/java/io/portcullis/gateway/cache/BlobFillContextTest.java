package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client on one event loop waiting for a fill another loop drives resumes on its own loop: it
 * sets its response's headers next, which must not happen from the fill's thread.
 */
class BlobFillContextTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() {
    vertx.close();
  }

  @RepeatedTest(5)
  void aFollowerWaitingForTheStartResumesOnItsOwnLoop() throws Exception {
    byte[] bytes = "a blob of a few bytes".getBytes();
    Path source = Files.write(dir.resolve("src"), bytes);
    Digest digest = Digest.sha256(bytes);
    BlobStore store =
        BlobStore.open(vertx, dir.resolve("cache"), 1L << 30, GatewayMetrics.inMemory())
            .await(10, TimeUnit.SECONDS);
    List<Context> loops = EventLoopContexts.of(vertx, 2);
    Context leader = loops.get(0);
    Context follower = loops.get(1);
    CompletableFuture<BlobFill> begun = new CompletableFuture<>();
    leader.runOnContext(v -> begun.complete(store.begin(digest, "internal").orElseThrow()));
    BlobFill fill = begun.get(10, TimeUnit.SECONDS);
    CompletableFuture<Thread> resumedOn = new CompletableFuture<>();
    CompletableFuture<Thread> followerThread = new CompletableFuture<>();
    // The follower waits first, so the fill's start (on the leader's loop) completes its wait.
    follower.runOnContext(
        v -> {
          followerThread.complete(Thread.currentThread());
          fill.started().onComplete(ar -> resumedOn.complete(Thread.currentThread()));
          leader.runOnContext(
              w ->
                  vertx
                      .fileSystem()
                      .open(source.toString(), new OpenOptions().setRead(true))
                      .onSuccess(in -> fill.start(in, bytes.length)));
        });
    assertEquals(followerThread.get(10, TimeUnit.SECONDS), resumedOn.get(10, TimeUnit.SECONDS));
    fill.stored().await(10, TimeUnit.SECONDS);
  }
}
