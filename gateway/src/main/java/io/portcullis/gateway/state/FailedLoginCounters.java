package io.portcullis.gateway.state;

import io.portcullis.gateway.auth.FailedLogins;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;

/**
 * Failed-login counters shared by every replica, so a user name locked out on one replica is locked
 * out on all: the shared half of {@code auth.FailedLogins}, with its rule that failures count
 * within a window that starts at the first failure ({@code auth.quotas.failedLogins.window}), after
 * which the key starts again from nothing. Keys are those of {@code FailedLogins} ({@code
 * address:<ip>}, {@code user:<name>}); the database's clock times every window, so replicas whose
 * clocks differ still agree.
 *
 * <p>What stays per replica: the checks under way (a burst of parallel guesses is held back by the
 * replica that receives it). Expired keys are deleted by {@link #purgeExpired()}, which {@link
 * Heartbeats} runs, so the table holds at most the keys that failed within one window.
 */
public final class FailedLoginCounters {
  /** Longer keys cannot be real ({@code FailedLogins} keeps 256 characters of a name). */
  public static final int MAX_KEY = 300;

  private final StateDatabase db;

  FailedLoginCounters(StateDatabase db) {
    this.db = db;
  }

  /**
   * Failures of a key within its window.
   *
   * @param count failures since the window began (0 when none or the window ended)
   * @param remaining how long until the window ends (zero when there are none)
   */
  public record Failures(int count, Duration remaining) {
    static final Failures NONE = new Failures(0, Duration.ZERO);

    /** Whether a login for this key is refused under {@code limit} failures per window. */
    public boolean reached(int limit) {
      return count >= limit;
    }
  }

  /** Counts one failed login for {@code key}; the failures in its window, this one included. */
  public Future<Failures> recordFailure(String key, Duration window) {
    check(key);
    if (window.isNegative() || window.isZero()) {
      return Future.failedFuture(new IllegalArgumentException("window must be positive"));
    }
    return db.query(
            """
            INSERT INTO failed_logins AS f (key, failures, window_ends)
            VALUES ($1, 1, now() + $2 * interval '1 millisecond')
            ON CONFLICT (key) DO UPDATE SET
              failures = CASE WHEN f.window_ends <= now() THEN 1 ELSE f.failures + 1 END,
              window_ends = CASE WHEN f.window_ends <= now() THEN EXCLUDED.window_ends
                                 ELSE f.window_ends END
            RETURNING failures,
              (extract(epoch FROM (window_ends - now())) * 1000)::bigint AS remaining_ms""",
            Tuple.of(key, window.toMillis()))
        .map(FailedLoginCounters::failures);
  }

  /** The failures of {@code key} in its current window. */
  public Future<Failures> read(String key) {
    check(key);
    return db.query(
            """
            SELECT failures,
              (extract(epoch FROM (window_ends - now())) * 1000)::bigint AS remaining_ms
            FROM failed_logins WHERE key = $1 AND window_ends > now()""",
            Tuple.of(key))
        .map(FailedLoginCounters::failures);
  }

  /** These counters as {@code auth.FailedLogins} shares its counts through them. */
  public FailedLogins.Ledger ledger() {
    return new FailedLogins.Ledger() {
      @Override
      public Future<Count> recordFailure(String key, Duration window) {
        return FailedLoginCounters.this.recordFailure(key, window).map(f -> count(f));
      }

      @Override
      public Future<Count> read(String key) {
        return FailedLoginCounters.this.read(key).map(f -> count(f));
      }

      private Count count(Failures f) {
        return new Count(f.count(), f.remaining());
      }
    };
  }

  /** Deletes the keys whose window has ended; how many. */
  public Future<Integer> purgeExpired() {
    return db.query("DELETE FROM failed_logins WHERE window_ends <= now()", Tuple.tuple())
        .map(RowSet::rowCount);
  }

  private static void check(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_KEY) {
      throw new IllegalArgumentException("a failed-login key has 1 to " + MAX_KEY + " characters");
    }
  }

  private static Failures failures(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Failures.NONE;
    }
    Row row = rows.iterator().next();
    return new Failures(
        row.getInteger("failures"), Duration.ofMillis(Math.max(0, row.getLong("remaining_ms"))));
  }
}
