package io.portcullis.gateway.state;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The pool every shared-state call goes through: one deadline per call (waiting for a connection
 * included), and one translation of failures. A problem of the database or the way to it becomes a
 * {@link StateUnavailableException}; a statement the database refused for its data (a constraint,
 * SQLSTATE classes 22 and 23) stays a {@link PgException} for the caller to interpret.
 */
final class StateDatabase {
  private final Pool pool;
  private final String url;
  private final Duration timeout;

  StateDatabase(Pool pool, String url, Duration timeout) {
    this.pool = pool;
    this.url = url;
    this.timeout = timeout;
  }

  Pool pool() {
    return pool;
  }

  /** A prepared statement on a pooled connection (prepared once per connection, then cached). */
  Future<RowSet<Row>> query(String sql, Tuple arguments) {
    return guard(pool.preparedQuery(sql).execute(arguments));
  }

  /** {@code work} in one transaction: committed when its future succeeds, else rolled back. */
  <T> Future<T> transaction(Function<SqlConnection, Future<T>> work) {
    return guard(pool.withTransaction(work));
  }

  private <T> Future<T> guard(Future<T> call) {
    // the timeout ends the wait; the server's statement_timeout ends the statement
    return call.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).recover(this::translate);
  }

  private <T> Future<T> translate(Throwable failure) {
    if (failure instanceof PgException pg && isAboutTheData(pg.getSqlState())) {
      return Future.failedFuture(pg);
    }
    if (failure instanceof StateUnavailableException) {
      return Future.failedFuture(failure);
    }
    return Future.failedFuture(
        new StateUnavailableException(
            "shared state at " + url + " is unavailable: " + describe(failure), failure));
  }

  static boolean isAboutTheData(String sqlState) {
    return sqlState != null && (sqlState.startsWith("22") || sqlState.startsWith("23"));
  }

  /** True when {@code failure} is a unique-key violation (SQLSTATE 23505). */
  static boolean isDuplicate(Throwable failure) {
    return failure instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    if (failure instanceof java.util.concurrent.TimeoutException
        || failure.getClass().getSimpleName().contains("Timeout")) {
      return "no answer within the timeout" + (message == null ? "" : " (" + message + ")");
    }
    return message == null ? failure.getClass().getSimpleName() : message;
  }
}
