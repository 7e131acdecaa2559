package io.portcullis.gateway.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Concurrent misses of one key share one fetch (a single-flight), whichever event loop each arrives
 * on: the first starts it, the others join it until it completes; the next miss after that fetches
 * again. Each caller's continuation runs on its own context, not on the loop that happened to start
 * the fetch, so a joiner's response is written from its connection's loop.
 */
final class ColdFetches<T> {
  private final Vertx vertx;
  private final Map<String, CompletableFuture<T>> inFlight = new ConcurrentHashMap<>();

  ColdFetches(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The fetch under way for {@code key}, or a new one from {@code fetch}. */
  Future<T> get(String key, Supplier<Future<T>> fetch) {
    var caller = vertx.getOrCreateContext();
    CompletableFuture<T> mine = new CompletableFuture<>();
    CompletableFuture<T> shared = inFlight.putIfAbsent(key, mine);
    if (shared == null) {
      shared = mine;
      Future<T> started;
      try {
        started = fetch.get();
      } catch (RuntimeException e) {
        started = Future.failedFuture(e);
      }
      started.onComplete(
          ar -> {
            // Forgotten first: a miss after this one must fetch again, not see a finished fetch.
            inFlight.remove(key, mine);
            if (ar.succeeded()) {
              mine.complete(ar.result());
            } else {
              mine.completeExceptionally(ar.cause());
            }
          });
    }
    return Future.fromCompletionStage(shared, caller);
  }

  /** Fetches under way (tests). */
  int inFlight() {
    return inFlight.size();
  }
}
