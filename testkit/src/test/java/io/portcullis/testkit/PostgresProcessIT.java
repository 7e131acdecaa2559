package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.x509.DevPki;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real PostgreSQL as the gateway's shared-state tests use it. */
class PostgresProcessIT {
  private static PostgresProcess postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = PostgresProcess.start();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    Teardown.closeAll(postgres);
  }

  private static CommandResult asUser(String password, String database, String sql) {
    return postgres.sqlAsUser(password, database, sql);
  }

  @Test
  void theApplicationRoleLogsInWithItsPasswordOnlyAndIsNoSuperuser() {
    CommandResult ok =
        asUser(
                postgres.password(),
                PostgresProcess.DATABASE,
                "SELECT current_user, usesuper FROM pg_user WHERE usename = current_user")
            .orThrow();
    assertEquals("portcullis|f", ok.stdout().strip());
    CommandResult wrong = asUser("not-the-password", PostgresProcess.DATABASE, "SELECT 1");
    assertFalse(wrong.ok());
    assertTrue(wrong.stderr().contains("password authentication failed"), wrong.describe());
  }

  @Test
  void theServerDoesNotRunAsRoot() {
    String user = ProcessHandle.of(postgres.pid()).orElseThrow().info().user().orElseThrow();
    assertNotEquals("root", user);
  }

  @Test
  void aSecondDatabaseBelongsToTheApplicationRole() {
    postgres.createDatabase("second_db");
    assertEquals(
        "second_db",
        asUser(postgres.password(), "second_db", "SELECT current_database()")
            .orThrow()
            .stdout()
            .strip());
  }

  @Test
  void stoppedRefusesConnectionsAndStartsAgainWithItsData() {
    asUser(
            postgres.password(),
            PostgresProcess.DATABASE,
            "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
        .orThrow();
    int port = postgres.port();
    postgres.stop();
    assertFalse(postgres.isRunning());
    CommandResult down = asUser(postgres.password(), PostgresProcess.DATABASE, "SELECT 1");
    assertFalse(down.ok(), "a stopped server must refuse connections");
    postgres.startAgain();
    assertEquals(port, postgres.port());
    assertEquals(
        "still here",
        asUser(postgres.password(), PostgresProcess.DATABASE, "SELECT v FROM kept")
            .orThrow()
            .stdout()
            .strip());
  }

  @Test
  void withTlsAClientThatVerifiesTheServerGetsAnEncryptedSession(@TempDir Path pki)
      throws Exception {
    DevPki.generate().writeTo(pki, false);
    try (PostgresProcess tls =
        PostgresProcess.startWithTls(pki.resolve("tls.crt"), pki.resolve("tls.key"))) {
      CommandResult verified =
          tls.sqlAsUser(
                  tls.password(),
                  PostgresProcess.DATABASE,
                  "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                  Map.of(
                      "PGSSLMODE",
                      "verify-full",
                      "PGSSLROOTCERT",
                      pki.resolve("root.crt").toString()))
              .orThrow();
      assertEquals("t", verified.stdout().strip());
    }
  }
}
