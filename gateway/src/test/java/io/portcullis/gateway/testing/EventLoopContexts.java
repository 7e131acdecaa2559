package io.portcullis.gateway.testing;

import io.portcullis.gateway.config.ServerConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Event-loop contexts for tests of code that client listeners on several loops run at once: each
 * deployment gets the next event loop, so {@code n} deployments on a Vertx of {@code n} or more
 * loops give {@code n} loops.
 */
public final class EventLoopContexts {
  private EventLoopContexts() {}

  /** {@code n} contexts, each of a deployment of its own. */
  public static List<Context> of(Vertx vertx, int n) {
    List<Context> contexts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Context[] captured = new Context[1];
      vertx
          .deployVerticle(
              new VerticleBase() {
                @Override
                public Future<?> start() {
                  captured[0] = context;
                  return Future.succeededFuture();
                }
              })
          .await();
      contexts.add(captured[0]);
    }
    return contexts;
  }

  /**
   * A plain-HTTP listener on loopback with {@code loops} event loops: no drain on close, 30 s head
   * and idle deadlines, and {@code bodyStall}.
   */
  public static ServerConfig listener(int port, int loops, Duration bodyStall) {
    return new ServerConfig(
        "127.0.0.1",
        port,
        Optional.empty(),
        Optional.empty(),
        Duration.ZERO,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        bodyStall,
        loops,
        false,
        true);
  }

  /** Runs {@code call} on {@code context} and waits (up to 5 s) for what it returns. */
  public static <T> T on(Context context, Callable<T> call) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            result.complete(call.call());
          } catch (Exception e) {
            result.completeExceptionally(e);
          }
        });
    return result.get(5, TimeUnit.SECONDS);
  }
}
