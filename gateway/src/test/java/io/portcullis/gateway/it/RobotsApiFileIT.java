package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.Credentials;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The robots admin API on a single node, over the robots file ({@code auth.robots.file}): the same
 * calls as on replicas ({@link FleetAuthIT}), with the robot usable at once and the file holding
 * only the secret's hash.
 */
class RobotsApiFileIT {
  static final Credentials ROOT = new Credentials("root", "root-pw");

  @TempDir static Path dir;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("htpasswd"), AccessControlIT.entry(ROOT));
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            // never contacted: only /api/v1/robots and /v2/ itself are asked for
            .upstream("origin", "http://127.0.0.1:9", "", false)
            .extra(
                """
                auth:
                  htpasswdFile: %s
                  roles:
                    robot-admin: [{repositories: ["**"], actions: [admin]}]
                    reader: [{repositories: ["**"], actions: [pull]}]
                  users: {root: [robot-admin]}
                  robots: {file: %s}
                """
                    .formatted(dir.resolve("htpasswd"), dir.resolve("robots.json")))
            .start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void createListRevokeOnTheRobotsFile() throws Exception {
    Credentials robot = FleetAuthIT.createRobot(gateway, "ci-file", "reader");
    assertEquals(200, FleetAuthIT.basic(gateway, robot), "usable at once");
    String file = Files.readString(dir.resolve("robots.json"));
    assertTrue(file.contains("\"ci-file\""), file);
    assertFalse(file.contains(robot.password()), "only the hash at rest");

    HttpResponse<String> listed = FleetAuthIT.api(gateway, "GET", "", ROOT, null);
    assertEquals(200, listed.statusCode(), listed.body());
    assertTrue(listed.body().contains("\"status\":\"active\""), listed.body());
    assertFalse(listed.body().contains("$2"), "never the hash");

    assertEquals(
        409,
        FleetAuthIT.api(
                gateway,
                "POST",
                "",
                ROOT,
                "{\"name\":\"ci-file\",\"role\":\"reader\",\"ttl\":\"1h\"}")
            .statusCode(),
        "a name is never reused");
    assertEquals(204, FleetAuthIT.api(gateway, "DELETE", "/ci-file", ROOT, null).statusCode());
    assertEquals(401, FleetAuthIT.basic(gateway, robot), "refused at once");
  }
}
