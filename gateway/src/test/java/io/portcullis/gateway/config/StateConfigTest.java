package io.portcullis.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.x509.DevPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code state} section: PostgreSQL shared by the replicas. */
class StateConfigTest {
  private static final String UPSTREAMS = "upstreams: [{name: a, url: 'http://127.0.0.1:5100'}]\n";
  private static final String PASSWORD = "s3cret-Pa55word";
  @TempDir Path dir;
  private Path passwordFile;

  @BeforeEach
  void writePassword() throws IOException {
    passwordFile = dir.resolve("pg-password");
    Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
  }

  private GatewayConfig parse(String state) {
    return ConfigLoader.parse((UPSTREAMS + state).getBytes(StandardCharsets.UTF_8), "test.yaml");
  }

  private String postgres(String url, String extra) {
    return "state: {postgres: {url: '%s', user: portcullis, passwordFile: '%s'%s}}\n"
        .formatted(url, passwordFile, extra);
  }

  @Test
  void withoutStateNothingIsShared() {
    assertEquals(Optional.empty(), parse("").state());
  }

  @Test
  void aFullSectionIsReadAndThePasswordComesFromItsFile() {
    StateConfig.Postgres p =
        parse(postgres("postgresql://db.example.com:6543/gate_way", ""))
            .state()
            .orElseThrow()
            .postgres();
    assertEquals("db.example.com", p.host());
    assertEquals(6543, p.port());
    assertEquals("gate_way", p.database());
    assertEquals("portcullis", p.user());
    assertEquals(passwordFile, p.passwordFile());
    assertEquals(Optional.empty(), p.caFile());
    assertEquals(PASSWORD, p.password(), "one trailing newline is not part of the password");
    assertEquals("postgresql://db.example.com:6543/gate_way", p.url());
    assertFalse(p.toString().contains(PASSWORD));
  }

  @Test
  void thePortDefaultsTo5432AndPostgresIsAnAcceptedScheme() {
    StateConfig.Postgres p =
        parse(postgres("postgres://10.0.0.5/portcullis", "")).state().orElseThrow().postgres();
    assertEquals(5432, p.port());
    assertEquals("10.0.0.5", p.host());
  }

  @Test
  void aCaFileMustHoldCertificates() throws IOException {
    Path pki = dir.resolve("pki");
    DevPki.generate().writeTo(pki, false);
    StateConfig.Postgres p =
        parse(postgres("postgresql://db:5432/p", ", caFile: '" + pki.resolve("root.crt") + "'"))
            .state()
            .orElseThrow()
            .postgres();
    assertEquals(Optional.of(pki.resolve("root.crt")), p.caFile());
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "not a certificate");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> parse(postgres("postgresql://db:5432/p", ", caFile: '" + garbage + "'")));
    assertTrue(e.getMessage().startsWith("state.postgres.caFile: "), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://db:5432/portcullis | is not a postgresql:// URL",
        "postgresql://db:5432 | must end in the database name",
        "postgresql://db:5432/ | must end in the database name",
        "postgresql://db:5432/a/b | must end in the database name",
        "postgresql:///portcullis | has no host",
        "postgresql://db:5432/p?sslmode=disable | must not carry a query",
        "postgresql://db:5432/p#x | must not carry a query",
        "postgresql://db:5432/p p | is not a URL",
      })
  void badUrlsAreRefusedNamingTheKey(String url, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(postgres(url, "")));
    assertTrue(e.getMessage().startsWith("state.postgres.url: "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void aPasswordInTheUrlIsRefusedWithoutBeingEchoed() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> parse(postgres("postgresql://u:hunter2@db:5432/p", "")));
    assertTrue(e.getMessage().contains("must not carry user info"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void passwordFileProblemsAreConfigErrorsThatNeverQuoteTheContent() throws IOException {
    String url = "postgresql://db:5432/p";
    Files.delete(passwordFile);
    ConfigException missing = assertThrows(ConfigException.class, () -> parse(postgres(url, "")));
    assertEquals(
        "state.postgres.passwordFile: cannot read " + passwordFile + " (NoSuchFileException)",
        missing.getMessage());
    Files.writeString(passwordFile, "\n");
    assertTrue(
        assertThrows(ConfigException.class, () -> parse(postgres(url, "")))
            .getMessage()
            .endsWith("is empty"));
    Files.writeString(passwordFile, "first-line\nsecond-line\n");
    ConfigException twoLines = assertThrows(ConfigException.class, () -> parse(postgres(url, "")));
    assertTrue(twoLines.getMessage().endsWith("must hold the password on one line"));
    assertFalse(twoLines.getMessage().contains("first-line"));
    Files.writeString(passwordFile, "x".repeat(StateConfig.MAX_PASSWORD_FILE + 1));
    assertTrue(
        assertThrows(ConfigException.class, () -> parse(postgres(url, "")))
            .getMessage()
            .contains("not a password"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "state: {} | state.postgres: is required",
        "state: {postgres: {user: u, passwordFile: f}} | state.postgres.url: is required",
        "state: {postgres: {url: 'postgresql://db/p', passwordFile: f}} | state.postgres.user: is required",
        "state: {postgres: {url: 'postgresql://db/p', user: 'a b'}} | state.postgres.user: 'a b' is not a role name",
        "state: {postgres: {url: 'postgresql://db/p', user: u}} | state.postgres.passwordFile: is required",
        "state: {postgres: {url: 'postgresql://db/p', user: u, password: x}} | state.postgres.password: unknown key 'password'",
      })
  void missingAndUnknownKeysAreNamed(String yaml, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml + "\n"));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void robotsAreSharedByStoreStateNeverByAFileBesideState() {
    String state = postgres("postgresql://db:5432/p", "");
    GatewayConfig shared = parse(state + "auth: {robots: {store: state}}\n");
    assertEquals(RobotsConfig.SHARED, shared.auth().orElseThrow().robots().orElseThrow());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> parse(state + "auth: {robots: {file: " + dir.resolve("r.json") + "}}\n"));
    assertEquals(
        "auth.robots.file: with state configured, robots are shared by the replicas in"
            + " PostgreSQL; write auth.robots: {store: state} instead of a file",
        e.getMessage());
  }
}
