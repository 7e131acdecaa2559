package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Concurrent misses on several event loops start one fetch; each caller resumes on its loop. */
class ColdFetchesTest {
  private static final int LOOPS = 4;
  private static final int CALLERS = 64;
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(LOOPS));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void concurrentMissesOnEveryLoopShareOneFetch() throws Exception {
    ColdFetches<String> cold = new ColdFetches<>(vertx);
    List<Context> contexts = EventLoopContexts.of(vertx, LOOPS);
    AtomicInteger fetches = new AtomicInteger();
    Promise<String> upstream = Promise.promise();
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch asked = new CountDownLatch(CALLERS);
    CountDownLatch answered = new CountDownLatch(CALLERS);
    List<String> wrong = new CopyOnWriteArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      Context context = contexts.get(i % LOOPS);
      context.runOnContext(
          v -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            Thread loop = Thread.currentThread();
            cold.get(
                    "team/app:v1",
                    () -> {
                      fetches.incrementAndGet();
                      return upstream.future();
                    })
                .onComplete(
                    ar -> {
                      if (!"manifest".equals(ar.result())) {
                        wrong.add("answer " + ar.result());
                      }
                      if (Thread.currentThread() != loop) {
                        wrong.add("resumed on " + Thread.currentThread().getName());
                      }
                      answered.countDown();
                    });
            asked.countDown();
          });
    }
    go.countDown();
    assertTrue(asked.await(10, TimeUnit.SECONDS));
    upstream.complete("manifest");
    assertTrue(answered.await(10, TimeUnit.SECONDS));
    assertEquals(1, fetches.get(), "one fetch for " + CALLERS + " callers on " + LOOPS + " loops");
    assertEquals(List.of(), wrong);
    assertEquals(0, cold.inFlight(), "a finished fetch is forgotten");
    assertEquals(
        "again",
        cold.get("team/app:v1", () -> Future.succeededFuture("again")).await(),
        "the next miss fetches again");
  }

  @Test
  void aFailedFetchFailsEveryJoinerAndIsForgotten() {
    ColdFetches<String> cold = new ColdFetches<>(vertx);
    Promise<String> upstream = Promise.promise();
    Future<String> first = cold.get("k", upstream::future);
    Future<String> second = cold.get("k", () -> Future.succeededFuture("not asked"));
    upstream.fail(new IllegalStateException("upstream down"));
    assertEquals(
        "upstream down", assertThrows(IllegalStateException.class, first::await).getMessage());
    assertEquals(
        "upstream down", assertThrows(IllegalStateException.class, second::await).getMessage());
    assertEquals(0, cold.inFlight());
  }
}
