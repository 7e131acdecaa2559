package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Read-modify-writes of one referrers tag run one after another, each on its own caller's event
 * loop, even when the one before it was a request on another loop.
 */
class ReferrersTagIndexTurnsTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  // Repeated: a hop back to the caller's loop done with a plain promise lost the race about one
  // time in ten (a listener added after completion ran on the completing loop).
  @RepeatedTest(30)
  void theNextTurnRunsOnItsCallersLoopAfterTheOneBefore() throws Exception {
    ReferrersTagIndex index = new ReferrersTagIndex();
    List<Context> loops = EventLoopContexts.of(vertx, 2);
    Promise<String> firstDone = Promise.promise();
    CompletableFuture<String> secondRanOn = new CompletableFuture<>();
    Thread loopA = EventLoopContexts.on(loops.get(0), Thread::currentThread);
    Thread loopB = EventLoopContexts.on(loops.get(1), Thread::currentThread);
    EventLoopContexts.on(
        loops.get(0), () -> index.serially("team/app@sha256-x", firstDone::future));
    EventLoopContexts.on(
        loops.get(1),
        () ->
            index.serially(
                "team/app@sha256-x",
                () -> {
                  secondRanOn.complete(
                      firstDone.future().isComplete() ? Thread.currentThread().getName() : "early");
                  return Future.succeededFuture("second");
                }));
    assertFalse(secondRanOn.isDone(), "waits for the first turn");
    // The first turn ends on loop A (its upstream answer arrived there).
    loops.get(0).runOnContext(v -> firstDone.complete("first"));
    assertEquals(loopB.getName(), secondRanOn.get(5, TimeUnit.SECONDS), "not on " + loopA);
  }
}
