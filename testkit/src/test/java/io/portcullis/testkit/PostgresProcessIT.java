package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real PostgreSQL as the gateway's shared-state tests use it. */
class PostgresProcessIT {
  private static PostgresProcess postgres;
  private static TempDirectory scratch;

  @BeforeAll
  static void startPostgres() {
    postgres = PostgresProcess.start();
    scratch = TempDirectory.create("portcullis-psql-");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    Teardown.closeAll(postgres, scratch);
  }

  /** psql over TCP as the application role, with its password (SCRAM), like the gateway logs in. */
  private static CommandResult asUser(String password, String database, String sql) {
    return new ExternalCommand(
            scratch.path(), Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "3"))
        .run(
            List.of(
                PostgresProcess.BIN.resolve("psql").toString(),
                "-h",
                postgres.host(),
                "-p",
                Integer.toString(postgres.port()),
                "-U",
                PostgresProcess.USER,
                "-d",
                database,
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql),
            Duration.ofSeconds(20));
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
}
