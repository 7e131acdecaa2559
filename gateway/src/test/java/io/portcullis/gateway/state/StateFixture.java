package io.portcullis.gateway.state;

import io.portcullis.gateway.config.StateConfig;
import io.portcullis.testkit.PostgresProcess;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** Opens shared states on a test's own PostgreSQL, one database per test when asked. */
final class StateFixture {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private StateFixture() {}

  /** A fresh database on {@code postgres}, owned by the application role. */
  static String newDatabase(PostgresProcess postgres) {
    String name = "state_" + DATABASES.incrementAndGet();
    postgres.createDatabase(name);
    return name;
  }

  static StateConfig.Postgres config(PostgresProcess postgres, String database, Duration timeout) {
    return new StateConfig.Postgres(
        postgres.host(),
        postgres.port(),
        database,
        PostgresProcess.USER,
        postgres.passwordFile(),
        Optional.empty(),
        timeout,
        timeout);
  }

  static StateConfig.Postgres config(PostgresProcess postgres, String database) {
    return config(postgres, database, StateConfig.Postgres.DEFAULT_QUERY_TIMEOUT);
  }

  /** Waits for {@code future} from a test thread; its failure is rethrown as it is. */
  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 30s", e);
    }
  }
}
