package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuiescenceTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static boolean result(io.vertx.core.Future<Boolean> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void completesWhenTheWorkEndsWithinTheGrace() throws Exception {
    AtomicBoolean idle = new AtomicBoolean();
    vertx.setTimer(100, t -> idle.set(true));
    long start = System.nanoTime();
    assertTrue(result(Quiescence.await(vertx, idle::get, Duration.ofSeconds(5))));
    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "did not wait the grace out");
  }

  @Test
  void givesUpWhenTheGraceHasPassed() throws Exception {
    long start = System.nanoTime();
    assertFalse(result(Quiescence.await(vertx, () -> false, Duration.ofMillis(150))));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150));
  }

  @Test
  void noGraceMeansNoWait() throws Exception {
    assertFalse(result(Quiescence.await(vertx, () -> false, Duration.ZERO)));
    assertTrue(result(Quiescence.await(vertx, () -> true, Duration.ZERO)));
  }
}
