package io.portcullis.gateway.upstream;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One upstream HTTP client, with its own connection pool, per event loop that sends upstream
 * requests, so each loop's requests go out on connections of that loop.
 *
 * <p>Why: a Vert.x 5 client ({@code PoolOptions.eventLoopSize} 0, the default) opens a connection
 * on the event loop of the request that needed it, but hands an idle connection to whichever
 * request asks next, from any loop (its pool's selector takes the most recently used one). With a
 * listener per loop, a request from loop A then did its I/O on loop B, and every response chunk
 * hopped from B to A before it reached the client's connection, on A again. With a pool per loop, a
 * connection is only ever used by the loop that opened it. Callers off any event loop (worker
 * threads) share one more client.
 */
final class LoopClients {
  private final Vertx vertx;
  private final HttpClientOptions options;
  private final PoolOptions pool;
  private final HttpClientAgent offLoop;
  private final Map<Thread, HttpClientAgent> perLoop = new ConcurrentHashMap<>();

  /**
   * {@code maxConnections} to the upstream in all, shared out between {@code eventLoops} pools (at
   * least {@value #MIN_PER_LOOP} each).
   */
  LoopClients(Vertx vertx, HttpClientOptions options, int maxConnections, int eventLoops) {
    this.vertx = vertx;
    this.options = options;
    int perPool = Math.max(MIN_PER_LOOP, (maxConnections + eventLoops - 1) / eventLoops);
    this.pool = new PoolOptions().setHttp1MaxSize(perPool);
    this.offLoop = vertx.createHttpClient(options, pool);
  }

  /** Fewer would queue a loop's blob transfers behind each other. */
  static final int MIN_PER_LOOP = 8;

  /** The client of the calling event loop (created on its first request). */
  HttpClientAgent current() {
    if (!Context.isOnEventLoopThread()) {
      return offLoop;
    }
    return perLoop.computeIfAbsent(
        Thread.currentThread(), loop -> vertx.createHttpClient(options, pool));
  }

  /** Connections each pool may open to the upstream. */
  int connectionsPerLoop() {
    return pool.getHttp1MaxSize();
  }

  /** Clients created so far, one per loop that sent a request, plus the one off any loop. */
  int size() {
    return perLoop.size() + 1;
  }

  /** Closes every client, breaking exchanges in flight. */
  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(offLoop.shutdown(0, TimeUnit.MILLISECONDS));
    perLoop.values().forEach(c -> closing.add(c.shutdown(0, TimeUnit.MILLISECONDS)));
    return Future.join(closing).mapEmpty();
  }
}
