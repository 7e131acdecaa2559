package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.gateway.auth.RobotCommandConfig;
import io.portcullis.gateway.auth.RobotStore;
import io.portcullis.testkit.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar portcullis-gateway.jar robot create|list|revoke} as an operator runs it, against
 * a config file; a {@link RobotStore} in this JVM stands in for the running gateway.
 */
class RobotCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Path config;
  private Path robots;

  @BeforeEach
  void writeConfig() throws IOException {
    robots = RobotCommandConfig.robots(dir);
    config = RobotCommandConfig.write(dir, RobotCommandConfig.TEAM_A_DEV);
  }

  private CommandResult jar(String... args) {
    return GatewayProcess.run(dir, args);
  }

  @Test
  void createListRevokeThroughThePackagedJar() throws Exception {
    CommandResult create =
        jar(
            RobotCommandConfig.create(
                config, "ci-a", "team-a-dev", "24h", "--scope", "team-a/app/**"));
    assertEquals(0, create.exitCode(), create.stderr());
    List<String> lines = create.stdout().lines().toList();
    assertEquals(1, lines.size(), "exactly one line on stdout: " + create.stdout());
    JsonNode created = JSON.readTree(lines.get(0));
    assertEquals("robot$ci-a", created.get("username").asText());
    String secret = created.get("secret").asText();
    assertFalse(create.stderr().contains(secret), "secret only on stdout");
    assertFalse(Files.readString(robots).contains(secret), "hashed at rest");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(robots)));

    RobotStore gateway = RobotStore.open(robots);
    assertEquals(
        List.of("team-a/app/**"),
        gateway.verify("robot$ci-a", secret.toCharArray()).orElseThrow().repositoryScopes());

    CommandResult list = jar("robot", "list", "--config", config.toString());
    assertEquals(0, list.exitCode(), list.stderr());
    JsonNode listed = JSON.readTree(list.stdout().lines().findFirst().orElseThrow());
    assertEquals("active", listed.get("status").asText());
    assertFalse(list.stdout().contains(secret));
    assertFalse(list.stdout().contains("$2y$"), "no hash either");

    CommandResult revoke = jar("robot", "revoke", "--config", config.toString(), "--name", "ci-a");
    assertEquals(0, revoke.exitCode(), revoke.stderr());
    Thread.sleep(RobotStore.CHECK_INTERVAL.toMillis() + 100);
    assertEquals(
        Optional.empty(),
        gateway.verify("robot$ci-a", secret.toCharArray()),
        "the running store refuses it within the check interval");
  }

  @Test
  void exitCodes() throws Exception {
    CommandResult unknown =
        jar("robot", "revoke", "--config", config.toString(), "--name", "nobody");
    assertEquals(1, unknown.exitCode(), unknown.stderr());
    assertTrue(unknown.stderr().contains("no robot named 'nobody'"), unknown.stderr());

    CommandResult noTtl =
        jar(
            "robot",
            "create",
            "--config",
            config.toString(),
            "--name",
            "x",
            "--role",
            "team-a-dev");
    assertEquals(2, noTtl.exitCode());
    assertTrue(noTtl.stderr().contains("--ttl"), noTtl.stderr());

    CommandResult badConfig =
        jar("robot", "list", "--config", dir.resolve("missing.yaml").toString());
    assertEquals(2, badConfig.exitCode());
    assertTrue(badConfig.stderr().contains("config error"), badConfig.stderr());

    Files.createDirectories(robots.getParent());
    Files.writeString(robots, "not json");
    CommandResult broken = jar("robot", "list", "--config", config.toString());
    assertEquals(3, broken.exitCode());
    assertEquals("", broken.stdout());
  }
}
