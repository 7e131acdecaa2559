package io.portcullis.gateway.state;

import static io.portcullis.gateway.state.StateFixture.await;

import io.portcullis.testkit.PostgresProcess;
import io.portcullis.testkit.Teardown;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A test class's own PostgreSQL and Vert.x, started once for the class. Instance fields under one
 * instance per class rather than static ones, which every subclass would share: the integration
 * tests run classes in parallel, and one may stop its database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OwnPostgres {
  PostgresProcess postgres;
  Vertx vertx;

  @BeforeAll
  void startPostgres() {
    postgres = PostgresProcess.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stopPostgres() throws Exception {
    Teardown.closeAll(() -> await(vertx.close()), postgres);
  }
}
