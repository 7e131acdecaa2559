package io.portcullis.gateway.state;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a replica when robots changed anywhere, so a revocation takes effect on every replica
 * within a second: a dedicated connection LISTENs on {@link SharedRobots#CHANNEL} and reconnects by
 * itself when it is lost. Notifications sent while it was away are lost, so every (re)subscription
 * is reported as "anything may have changed"; and since a listener can be cut off silently (a proxy
 * in front of the database that drops LISTEN sessions), the newest change id is also polled every
 * {@code pollInterval} as the fallback.
 *
 * <p>The callback runs on an event loop; it should only mark caches stale or re-read robots.
 */
public final class RobotFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RobotFeed.class);
  private static final long MAX_RECONNECT_DELAY_MS = 5_000;

  /**
   * A change: {@code name} of the robot that changed, or empty when anything may have changed
   * (after a reconnect, or found by polling) and everything should be re-read.
   */
  public record Change(Optional<String> name) {
    static final Change ANY = new Change(Optional.empty());
  }

  private final Vertx vertx;
  private final SharedRobots robots;
  private final Consumer<Change> onChange;
  private final PgSubscriber subscriber;
  private final AtomicLong lastSeen = new AtomicLong(-1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long pollTimer;
  private final Future<Void> started;

  RobotFeed(
      Vertx vertx,
      PgConnectOptions options,
      SharedRobots robots,
      Duration pollInterval,
      Consumer<Change> onChange) {
    this.vertx = vertx;
    this.robots = robots;
    this.onChange = onChange;
    this.subscriber =
        PgSubscriber.subscriber(vertx, options)
            .reconnectPolicy(
                attempt ->
                    closed.get()
                        ? -1L
                        : Math.min(MAX_RECONNECT_DELAY_MS, 100L << Math.min(attempt, 6)));
    subscriber
        .channel(SharedRobots.CHANNEL)
        .subscribeHandler(
            subscribed -> {
              LOG.info("listening for robot changes");
              onChange.accept(Change.ANY);
            })
        .handler(name -> onChange.accept(new Change(Optional.of(name))));
    connect(0);
    this.started = robots.lastChange().onSuccess(lastSeen::set).mapEmpty();
    this.pollTimer = vertx.setPeriodic(pollInterval.toMillis(), id -> poll());
  }

  /**
   * Completes once the newest change id has been read, the point from which polling finds changes
   * (fails when the database could not be reached then; polling starts from its first answer).
   */
  public Future<Void> started() {
    return started;
  }

  /**
   * The subscriber reconnects by itself once connected; a first connection that fails (the database
   * is down while the gateway starts) is retried here.
   */
  private void connect(int attempt) {
    if (closed.get()) {
      return;
    }
    subscriber
        .connect()
        .onFailure(
            err -> {
              if (attempt == 0) {
                LOG.warn("cannot listen for robot changes yet, retrying: {}", err.getMessage());
              }
              long delay = Math.min(MAX_RECONNECT_DELAY_MS, 100L << Math.min(attempt, 6));
              vertx.setTimer(delay, id -> connect(attempt + 1));
            });
  }

  private void poll() {
    robots
        .lastChange()
        .onSuccess(
            change -> {
              long before = lastSeen.getAndSet(change);
              // -1: no baseline yet (the database was down when the feed started)
              if (before >= 0 && before != change) {
                onChange.accept(Change.ANY);
              }
            })
        .onFailure(err -> LOG.debug("robot change poll failed: {}", err.getMessage()));
  }

  /** Whether the listening connection is up right now (tests, health). */
  public boolean listening() {
    return !subscriber.closed() && subscriber.actualConnection() != null;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      vertx.cancelTimer(pollTimer);
      subscriber.close();
    }
  }
}
