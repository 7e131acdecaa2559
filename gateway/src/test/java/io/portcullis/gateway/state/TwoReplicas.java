package io.portcullis.gateway.state;

import static io.portcullis.gateway.state.StateFixture.await;

import io.portcullis.testkit.Teardown;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Two pools standing for two replicas (A and B) on a fresh database per test. */
abstract class TwoReplicas extends OwnPostgres {
  PostgresState a;
  PostgresState b;
  String database;

  @BeforeEach
  void twoReplicas() throws Exception {
    database = StateFixture.newDatabase(postgres);
    a = await(PostgresState.open(vertx, StateFixture.config(postgres, database)));
    b = await(PostgresState.open(vertx, StateFixture.config(postgres, database)));
  }

  @AfterEach
  void closeReplicas() throws Exception {
    Teardown.closeAll(() -> await(a.shutdown()), () -> await(b.shutdown()));
  }
}
