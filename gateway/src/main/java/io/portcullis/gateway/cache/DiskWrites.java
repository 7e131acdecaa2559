package io.portcullis.gateway.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manifest cache's disk work, off the event loop: reads on worker threads, writes in the
 * background in the order they were asked for (a tag never lands before its manifest), and the
 * count of writes under way for a graceful shutdown.
 *
 * <p>Writes go through one worker thread of their own, in the order they were asked for from any
 * event loop. Vert.x's {@code executeBlocking(op, true)} orders only the tasks of one context: with
 * a listener per event loop, a manifest deleted on one loop and written again on another could land
 * in either order.
 */
final class DiskWrites {
  private static final Logger LOG = LoggerFactory.getLogger(DiskWrites.class);

  /** The worker every manifest cache writes through (one thread: one write at a time). */
  static final String WRITER = "portcullis-manifest-cache-writes";

  private final Vertx vertx;
  private final WorkerExecutor writer;
  private final AtomicInteger writing = new AtomicInteger();

  DiskWrites(Vertx vertx) {
    this.vertx = vertx;
    this.writer = vertx.createSharedWorkerExecutor(WRITER, 1);
  }

  /** Runs a disk read on a worker thread. */
  <T> Future<T> read(Callable<T> op) {
    return vertx.executeBlocking(op, false);
  }

  /** Persists in the background; a failure costs only the copy on disk. */
  void write(String what, Callable<Void> op) {
    writing.incrementAndGet();
    writer
        .executeBlocking(op, false)
        .onComplete(ar -> writing.decrementAndGet())
        .onFailure(err -> LOG.warn("cache: could not persist {}: {}", what, err.toString()));
  }

  /**
   * Completes once the writes started have landed, or when {@code grace} has passed: a graceful
   * shutdown keeps the manifests and tags just served.
   */
  Future<Void> settle(Duration grace) {
    return Quiescence.await(vertx, () -> writing.get() == 0, grace)
        .map(
            settled -> {
              if (!settled) {
                LOG.warn(
                    "cache: {} manifest write(s) under way at shutdown are dropped", writing.get());
              }
              return null;
            });
  }
}
