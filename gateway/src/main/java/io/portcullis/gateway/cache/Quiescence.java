package io.portcullis.gateway.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits, without blocking, for cache work still under way when the gateway shuts down. */
final class Quiescence {
  private static final long CHECK_EVERY_MS = 20;

  private Quiescence() {}

  /**
   * Completes with true once {@code idle} holds, or with false when {@code grace} has passed first
   * (at once when it is zero or negative).
   */
  static Future<Boolean> await(Vertx vertx, BooleanSupplier idle, Duration grace) {
    Promise<Boolean> done = Promise.promise();
    check(vertx, idle, System.nanoTime() + Math.max(0, grace.toNanos()), done);
    return done.future();
  }

  private static void check(
      Vertx vertx, BooleanSupplier idle, long deadline, Promise<Boolean> done) {
    if (idle.getAsBoolean()) {
      done.tryComplete(true);
    } else if (System.nanoTime() - deadline >= 0) {
      done.tryComplete(false);
    } else {
      vertx.setTimer(CHECK_EVERY_MS, t -> check(vertx, idle, deadline, done));
    }
  }
}
