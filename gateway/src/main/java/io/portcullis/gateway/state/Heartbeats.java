package io.portcullis.gateway.state;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which replicas are alive: each refreshes its row every {@code interval}; a replica is live while
 * its row is younger than three intervals. What a replica may do alone can be sized by the number
 * of live replicas (a quota split into shares, for one). The same periodic task purges rows of
 * replicas gone for a day and failed-login windows that ended, so the shared tables stay bounded.
 */
public final class Heartbeats implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

  private final StateDatabase db;
  private final FailedLoginCounters failedLogins;
  private final Vertx vertx;
  private final String replica;
  private long timer = -1;

  Heartbeats(StateDatabase db, FailedLoginCounters failedLogins, Vertx vertx, String replica) {
    this.db = db;
    this.failedLogins = failedLogins;
    this.vertx = vertx;
    this.replica = replica;
  }

  /** This replica's id (host name and a random suffix, made at start). */
  public String replica() {
    return replica;
  }

  /** Refreshes this replica's row now. */
  public Future<Void> beat() {
    return db.query(
            """
            INSERT INTO replicas (id, started_at, last_seen) VALUES ($1, now(), now())
            ON CONFLICT (id) DO UPDATE SET last_seen = now()""",
            Tuple.of(replica))
        .mapEmpty();
  }

  /** How many replicas refreshed their row within {@code within} (this one included if it did). */
  public Future<Integer> live(Duration within) {
    return db.query(
            "SELECT count(*) AS n FROM replicas"
                + " WHERE last_seen > now() - $1 * interval '1 millisecond'",
            Tuple.of(within.toMillis()))
        .map(rows -> rows.iterator().next().getLong("n").intValue());
  }

  /**
   * Beats now and every {@code interval} until {@link #close()}; failures are logged and retried.
   */
  public synchronized void start(Duration interval) {
    if (timer >= 0) {
      return;
    }
    beat().onFailure(err -> LOG.warn("replica heartbeat failed: {}", err.getMessage()));
    timer =
        vertx.setPeriodic(
            interval.toMillis(),
            id ->
                beat()
                    .compose(v -> failedLogins.purgeExpired())
                    .compose(
                        v ->
                            db.query(
                                "DELETE FROM replicas WHERE last_seen < now() - interval '1 day'",
                                Tuple.tuple()))
                    .onFailure(err -> LOG.warn("replica heartbeat failed: {}", err.getMessage())));
  }

  @Override
  public synchronized void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
