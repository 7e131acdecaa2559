package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.gateway.auth.RobotStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

  record Run(int code, String out, String err) {}

  @BeforeEach
  void writeConfig() throws IOException {
    robots = dir.resolve("data/robots.json");
    config =
        Files.writeString(
            dir.resolve("gateway.yaml"),
            """
            dataDir: %s
            upstreams:
              - {name: internal, url: 'http://127.0.0.1:1', prefix: ''}
            auth:
              roles:
                team-a-dev: [{repositories: ['team-a/**'], actions: [pull, push]}]
              robots: {file: %s}
            """
                .formatted(dir.resolve("data"), robots));
  }

  private Run jar(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-jar", GatewayProcess.jar().toString()));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("jar did not finish: " + String.join(" ", args));
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void createListRevokeThroughThePackagedJar() throws Exception {
    Run create =
        jar(
            "robot",
            "create",
            "--config",
            config.toString(),
            "--name",
            "ci-a",
            "--role",
            "team-a-dev",
            "--scope",
            "team-a/app/**",
            "--ttl",
            "24h");
    assertEquals(0, create.code(), create.err());
    List<String> lines = create.out().lines().toList();
    assertEquals(1, lines.size(), "exactly one line on stdout: " + create.out());
    JsonNode created = JSON.readTree(lines.get(0));
    assertEquals("robot$ci-a", created.get("username").asText());
    String secret = created.get("secret").asText();
    assertFalse(create.err().contains(secret), "secret only on stdout");
    assertFalse(Files.readString(robots).contains(secret), "hashed at rest");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(robots)));

    RobotStore gateway = RobotStore.open(robots);
    assertEquals(
        List.of("team-a/app/**"),
        gateway.verify("robot$ci-a", secret.toCharArray()).orElseThrow().repositoryScopes());

    Run list = jar("robot", "list", "--config", config.toString());
    assertEquals(0, list.code(), list.err());
    JsonNode listed = JSON.readTree(list.out().lines().findFirst().orElseThrow());
    assertEquals("active", listed.get("status").asText());
    assertFalse(list.out().contains(secret));
    assertFalse(list.out().contains("$2y$"), "no hash either");

    Run revoke = jar("robot", "revoke", "--config", config.toString(), "--name", "ci-a");
    assertEquals(0, revoke.code(), revoke.err());
    Thread.sleep(RobotStore.CHECK_INTERVAL.toMillis() + 100);
    assertEquals(
        Optional.empty(),
        gateway.verify("robot$ci-a", secret.toCharArray()),
        "the running store refuses it within the check interval");
  }

  @Test
  void exitCodes() throws Exception {
    Run unknown = jar("robot", "revoke", "--config", config.toString(), "--name", "nobody");
    assertEquals(1, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("no robot named 'nobody'"), unknown.err());

    Run noTtl =
        jar(
            "robot",
            "create",
            "--config",
            config.toString(),
            "--name",
            "x",
            "--role",
            "team-a-dev");
    assertEquals(2, noTtl.code());
    assertTrue(noTtl.err().contains("--ttl"), noTtl.err());

    Run badConfig = jar("robot", "list", "--config", dir.resolve("missing.yaml").toString());
    assertEquals(2, badConfig.code());
    assertTrue(badConfig.err().contains("config error"), badConfig.err());

    Files.createDirectories(robots.getParent());
    Files.writeString(robots, "not json");
    Run broken = jar("robot", "list", "--config", config.toString());
    assertEquals(3, broken.code());
    assertEquals("", broken.out());
  }
}
