package io.portcullis.gateway.state;

import static io.portcullis.gateway.state.StateFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.core.x509.DevPki;
import io.portcullis.gateway.config.StateConfig;
import io.portcullis.testkit.PostgresProcess;
import io.portcullis.testkit.Teardown;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code state.postgres.caFile}: TLS to PostgreSQL with the server's certificate verified. */
class PostgresStateTlsIT {
  @TempDir static Path pki;
  @TempDir static Path otherPki;
  private static PostgresProcess postgres;
  private static Vertx vertx;

  @BeforeAll
  static void startPostgresWithTls() throws Exception {
    DevPki.generate().writeTo(pki, false);
    DevPki.generate().writeTo(otherPki, false);
    postgres = PostgresProcess.startWithTls(pki.resolve("tls.crt"), pki.resolve("tls.key"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(() -> await(vertx.close()), postgres);
  }

  private static StateConfig.Postgres config(Path ca) {
    return new StateConfig.Postgres(
        postgres.host(),
        postgres.port(),
        PostgresProcess.DATABASE,
        PostgresProcess.USER,
        postgres.passwordFile(),
        Optional.of(ca));
  }

  @Test
  void withTheServersCaEveryConnectionIsTls() throws Exception {
    PostgresState state = await(PostgresState.open(vertx, config(pki.resolve("root.crt"))));
    try {
      await(state.heartbeats().beat());
      assertEquals(
          "0",
          postgres.sql(
              PostgresProcess.DATABASE,
              "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
                  + " WHERE a.application_name = 'portcullis' AND NOT s.ssl"),
          "no plain connection");
      assertEquals(
          "t",
          postgres.sql(
              PostgresProcess.DATABASE,
              "SELECT count(*) > 0 FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
                  + " WHERE a.application_name = 'portcullis' AND s.ssl"));
    } finally {
      await(state.shutdown());
    }
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefused() {
    Exception e =
        assertThrows(
            Exception.class,
            () -> await(PostgresState.open(vertx, config(otherPki.resolve("root.crt")))));
    assertInstanceOf(StateUnavailableException.class, e, String.valueOf(e));
  }
}
