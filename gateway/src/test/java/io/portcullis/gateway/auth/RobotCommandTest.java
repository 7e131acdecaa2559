package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.gateway.Main;
import io.portcullis.testkit.ConsoleRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code robot create|list|revoke} in-process through {@link Main}, as the jar runs them. */
class RobotCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Path config;

  @BeforeEach
  void writeConfig() throws IOException {
    config =
        RobotCommandConfig.write(dir, RobotCommandConfig.TEAM_A_DEV, RobotCommandConfig.READER);
  }

  private ConsoleRun run(String... args) {
    return ConsoleRun.of(
        (out, err) -> new CommandLine(new Main()).setOut(out).setErr(err).execute(args));
  }

  @Test
  void createPrintsExactlyOneJsonObjectWhoseSecretLogsIn() throws IOException {
    ConsoleRun r =
        run(
            RobotCommandConfig.create(
                config,
                "ci-a",
                "team-a-dev",
                "24h",
                "--role",
                "reader",
                "--scope",
                "team-a/app/**"));

    assertEquals(0, r.exitCode(), r.err());
    assertEquals(1, r.out().lines().count(), "one line: " + r.out());
    JsonNode json = JSON.readTree(r.out());
    assertEquals(
        List.of("name", "username", "secret", "expiresAt"), iterableToList(json.fieldNames()));
    assertEquals("ci-a", json.get("name").asText());
    assertEquals("robot$ci-a", json.get("username").asText());
    Duration ttl = Duration.between(Instant.now(), Instant.parse(json.get("expiresAt").asText()));
    assertTrue(ttl.compareTo(Duration.ofHours(23)) > 0 && ttl.compareTo(Duration.ofHours(24)) <= 0);

    String secret = json.get("secret").asText();
    Path robots = dir.resolve("data/robots.json");
    assertFalse(Files.readString(robots).contains(secret));
    Optional<Identity> who = RobotStore.open(robots).verify("robot$ci-a", secret.toCharArray());
    assertEquals(List.of("team-a-dev", "reader"), who.orElseThrow().roles());
    assertEquals(List.of("team-a/app/**"), who.orElseThrow().repositoryScopes());
  }

  @Test
  void listShowsNoSecretsAndRevokeTakesEffect() throws IOException {
    String secret = JSON.readTree(createReader("ci-a").out()).get("secret").asText();
    createReader("ci-b");
    RobotStore gateway = RobotStore.open(dir.resolve("data/robots.json"));
    assertTrue(gateway.verify("robot$ci-a", secret.toCharArray()).isPresent());

    ConsoleRun revoke = run("robot", "revoke", "--config", config.toString(), "--name", "ci-a");
    assertEquals(0, revoke.exitCode(), revoke.err());
    gateway.refreshIfChanged();
    assertEquals(Optional.empty(), gateway.verify("robot$ci-a", secret.toCharArray()));

    ConsoleRun list = run("robot", "list", "--config", config.toString());
    assertEquals(0, list.exitCode(), list.err());
    List<String> lines = list.out().lines().toList();
    assertEquals(2, lines.size(), list.out());
    JsonNode a = JSON.readTree(lines.get(0));
    assertEquals("ci-a", a.get("name").asText());
    assertEquals("revoked", a.get("status").asText());
    assertEquals("active", JSON.readTree(lines.get(1)).get("status").asText());
    assertFalse(list.out().contains(secret), "no secret");
    assertFalse(list.out().contains("$2y$"), "no hash");
    assertFalse(list.out().contains("secret"), "no secret field at all");
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(1, List.of("revoke", "--name", "nobody"), "no robot named 'nobody'"),
        Arguments.of(2, List.of("create", "--name", "ci-a", "--role", "reader"), "--ttl"),
        Arguments.of(
            2,
            List.of("create", "--name", "ci-a", "--role", "admin", "--ttl", "1h"),
            "role 'admin' is not in auth.roles"),
        Arguments.of(
            2,
            List.of("create", "--name", "CI_A", "--role", "reader", "--ttl", "1h"),
            "lowercase letters"),
        Arguments.of(
            2,
            List.of("create", "--name", "ci-a", "--role", "reader", "--ttl", "forever"),
            "not a duration"),
        Arguments.of(
            2,
            List.of(
                "create", "--name", "ci-a", "--role", "reader", "--scope", "a/**b", "--ttl", "1h"),
            "'**' must be a whole path segment"),
        Arguments.of(2, List.of("frobnicate"), "Unmatched argument"));
  }

  @ParameterizedTest(name = "exit {0}: {1}")
  @MethodSource("failures")
  void failuresHaveTheirExitCodeAndSayWhy(int code, List<String> args, String message) {
    ConsoleRun r = run(Stream.concat(Stream.of("robot"), withConfig(args)).toArray(String[]::new));
    assertEquals(code, r.exitCode(), r.err());
    assertTrue(r.err().contains(message), r.err());
    assertEquals("", r.out(), "nothing on stdout");
  }

  @Test
  void nameTakenIsAUsageErrorAndNoSecretIsPrinted() {
    assertEquals(0, createReader("ci-a").exitCode());
    ConsoleRun again = createReader("ci-a");
    assertEquals(2, again.exitCode());
    assertTrue(again.err().contains("already exists"), again.err());
    assertEquals("", again.out());
  }

  @Test
  void configWithoutRobotsAndInvalidRobotsFileAreRefused() throws IOException {
    Path bare =
        Files.writeString(
            dir.resolve("bare.yaml"),
            "upstreams: [{name: u, url: 'http://127.0.0.1:1'}]\nauth: {roles: {}}\n");
    ConsoleRun noRobots = run("robot", "list", "--config", bare.toString());
    assertEquals(2, noRobots.exitCode());
    assertTrue(noRobots.err().contains("auth.robots: is not set"), noRobots.err());

    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/robots.json"), "{\"version\":1,\"robots\":[{}]}");
    ConsoleRun invalid = run("robot", "list", "--config", config.toString());
    assertEquals(3, invalid.exitCode());
    assertTrue(invalid.err().contains("robots[0]"), invalid.err());
  }

  /** {@code robot create --name NAME --role reader --ttl 1h}. */
  private ConsoleRun createReader(String name) {
    return run(RobotCommandConfig.create(config, name, "reader", "1h"));
  }

  private Stream<String> withConfig(List<String> args) {
    if (args.size() == 1) {
      return args.stream();
    }
    return Stream.concat(
        Stream.of(args.get(0), "--config", config.toString()), args.stream().skip(1));
  }

  private static List<String> iterableToList(Iterator<String> it) {
    List<String> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }
}
