package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.gateway.auth.RobotCommandConfig;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.PostgresProcess;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas (A and B, each its own gateway with its own data directory) sharing one real
 * PostgreSQL and one docker-registry origin (issue #15): robots made through the admin API on one
 * replica work on the other, a revocation on one reaches the other within a second (tokens issued
 * before included), a user name locked out on one is locked out on the other, and with the database
 * stopped the robots API and an unknown robot's login are 503 while a robot already held keeps
 * working, until the database is back and everything recovers by itself. The outage test runs last:
 * it stops the database the others use.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetAuthIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Credentials ROOT = new Credentials("root", "root-pw");
  static final Credentials CAROL = new Credentials("carol", "carol-pw");
  static final Credentials DAVE = new Credentials("dave", "dave-pw");
  static final Credentials ERIN = new Credentials("erin", "erin-pw");

  @TempDir static Path dir;
  static PostgresProcess postgres;
  static RegistryProcess origin;
  static GatewayFixture a;
  static GatewayFixture b;
  static Skopeo skopeo;
  static TestImages images;
  static OciLayout image;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    postgres = PostgresProcess.start();
    postgres.createDatabase("fleet_auth");
    origin = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    image = images.build(ImageSpec.builder().layers(1, 32 * 1024).seed(151).build());
    Files.writeString(
        dir.resolve("htpasswd"),
        AccessControlIT.entry(ROOT)
            + AccessControlIT.entry(CAROL)
            + AccessControlIT.entry(DAVE)
            + AccessControlIT.entry(ERIN));
    a = replica("a");
    b = replica("b");
  }

  /**
   * A replica: its own data directory and audit log; the database, the origin and the token key (a
   * token from one replica must be good on the other, as behind a load balancer) shared.
   */
  static GatewayFixture replica(String name) throws Exception {
    return GatewayFixture.builder(dir.resolve(name))
        .upstream("origin", origin.url(), "", true)
        .extra(
            """
            audit: {file: %s}
            auth:
              htpasswdFile: %s
              roles:
                robot-admin: [{repositories: ["**"], actions: [admin]}]
                everything: [{repositories: ["**"], actions: ["*"]}]
                pusher: [{repositories: ["team/**"], actions: [pull, push]}]
                reader: [{repositories: ["**"], actions: [pull]}]
              users: {root: [robot-admin], carol: [reader], dave: [everything], erin: [reader]}
              robots: {store: state}
              quotas:
                # every client here is 127.0.0.1: only the per-user limit is under test
                failedLogins: {perAddress: 100000, perUser: 3, window: 1m}
                users: {erin: {requestsPerSecond: 1, burst: 4}}   # shared by the live replicas
            state:
              postgres:
                url: postgresql://%s:%d/fleet_auth
                user: %s
                passwordFile: %s
            """
                .formatted(
                    dir.resolve(name + "-audit.jsonl"),
                    dir.resolve("htpasswd"),
                    postgres.host(),
                    postgres.port(),
                    PostgresProcess.USER,
                    postgres.passwordFile()))
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, a, b, origin, postgres);
  }

  // ---- the admin API ----

  static HttpResponse<String> api(
      GatewayFixture g, String method, String path, Credentials who, String body) throws Exception {
    String[] headers =
        who == null
            ? new String[] {"Content-Type", "application/json"}
            : new String[] {
              "Authorization", "Basic " + who.basicToken(), "Content-Type", "application/json"
            };
    return Http.send(
        method,
        g.url() + "/api/v1/robots" + path,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        headers);
  }

  /** Creates a robot through {@code g}'s API; its credentials. */
  static Credentials createRobot(GatewayFixture g, String name, String role) throws Exception {
    HttpResponse<String> r =
        api(
            g,
            "POST",
            "",
            ROOT,
            "{\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"ttl\":\"1h\"}");
    assertEquals(201, r.statusCode(), r.body());
    JsonNode made = JSON.readTree(r.body());
    assertEquals("robot$" + name, made.get("username").asText());
    assertNotNull(made.get("expiresAt"));
    return new Credentials(made.get("username").asText(), made.get("secret").asText());
  }

  static int basic(GatewayFixture g, Credentials who) throws Exception {
    return Http.get(g.url() + "/v2/", "Authorization", "Basic " + who.basicToken()).statusCode();
  }

  @Test
  @Order(1)
  void aRobotCreatedThroughTheApiOnAPushesThroughB() throws Exception {
    Credentials robot = createRobot(a, "ci-push", "pusher");
    try (Skopeo ci = Skopeo.builder().login(b.hostPort(), robot).build()) {
      ci.copy(image.ref(), "docker://" + b.hostPort() + "/team/app:v1", "--dest-tls-verify=false")
          .orThrow();
    }
    HttpResponse<String> atOrigin = Http.get(origin.url() + "/v2/team/app/tags/list");
    assertTrue(atOrigin.body().contains("\"v1\""), atOrigin.body());

    HttpResponse<String> listed = api(b, "GET", "", ROOT, null);
    assertEquals(200, listed.statusCode(), listed.body());
    assertTrue(listed.body().contains("\"name\":\"ci-push\""), listed.body());
    assertFalse(listed.body().contains(robot.password()), "never the secret");
    assertFalse(listed.body().contains("$2"), "never the hash");
    String audit =
        AuditRecords.awaitRecord(dir.resolve("a-audit.jsonl"), "robots.create", "created");
    assertFalse(audit.contains(robot.password()), "the secret is never audited");
  }

  @Test
  @Order(2)
  void onlyAdminsMayUseTheApiAndItsInputIsChecked() throws Exception {
    HttpResponse<String> none = api(a, "GET", "", null, null);
    assertEquals(401, none.statusCode());
    assertTrue(
        none.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer realm="));
    HttpResponse<String> star = api(a, "GET", "", DAVE, null);
    assertEquals(403, star.statusCode(), "'*' does not grant admin: " + star.body());
    assertEquals("DENIED", Http.errorCode(star));
    assertEquals(403, api(a, "GET", "", CAROL, null).statusCode());

    assertEquals(400, api(a, "POST", "", ROOT, "{not json").statusCode());
    HttpResponse<String> role =
        api(a, "POST", "", ROOT, "{\"name\":\"x\",\"role\":\"god\",\"ttl\":\"1h\"}");
    assertEquals(400, role.statusCode());
    assertTrue(role.body().contains("role: 'god' is not a role"), role.body());
    assertEquals(
        400,
        api(a, "POST", "", ROOT, "{\"name\":\"x\",\"role\":\"reader\",\"ttl\":\"-1h\"}")
            .statusCode());
    assertEquals(
        413, api(a, "POST", "", ROOT, "{\"pad\":\"" + "x".repeat(20_000) + "\"}").statusCode());
    createRobot(a, "ci-once", "reader");
    HttpResponse<String> again =
        api(b, "POST", "", ROOT, "{\"name\":\"ci-once\",\"role\":\"reader\",\"ttl\":\"1h\"}");
    assertEquals(409, again.statusCode(), again.body());
    assertEquals(404, api(b, "DELETE", "/nobody", ROOT, null).statusCode());
    assertEquals(405, api(b, "PUT", "", ROOT, "{}").statusCode());
  }

  @Test
  @Order(3)
  void revokedOnBItIsRefusedOnAWithinASecondTokensIssuedBeforeIncluded() throws Exception {
    Credentials robot = createRobot(a, "ci-revoke", "reader");
    HttpResponse<String> issued =
        Http.get(
            a.url() + "/token?service=portcullis&scope=repository:team/app:pull",
            "Authorization",
            "Basic " + robot.basicToken());
    assertEquals(200, issued.statusCode(), issued.body());
    String token = JSON.readTree(issued.body()).get("token").asText();
    Predicate<GatewayFixture> tokenWorks =
        g -> {
          try {
            return Http.get(g.url() + "/v2/team/app/tags/list", "Authorization", "Bearer " + token)
                    .statusCode()
                == 200;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    assertTrue(tokenWorks.test(a));
    assertTrue(tokenWorks.test(b), "a token from A is good on B: the signing key is shared");
    assertEquals(200, basic(a, robot));

    assertEquals(204, api(b, "DELETE", "/ci-revoke", ROOT, null).statusCode());
    long revoked = System.nanoTime();
    while (tokenWorks.test(a)) {
      assertTrue(
          System.nanoTime() - revoked < Duration.ofSeconds(1).toNanos(),
          "A still honours the token a second after the revocation on B");
      Thread.sleep(10);
    }
    long took = Duration.ofNanos(System.nanoTime() - revoked).toMillis();
    assertEquals(401, basic(a, robot), "Basic logins refused too");
    assertFalse(tokenWorks.test(b));
    HttpResponse<String> listed = api(a, "GET", "", ROOT, null);
    assertTrue(listed.body().contains("\"status\":\"revoked\""), listed.body());
    System.out.println("revocation on B refused on A after " + took + " ms");
  }

  @Test
  @Order(4)
  void failedLoginsOnALockTheUserNameOnB() throws Exception {
    Credentials wrong = new Credentials(CAROL.username(), "not-her-password");
    for (int i = 0; i < 3; i++) {
      assertEquals(401, basic(a, wrong), "failure " + i + " on A");
    }
    HttpResponse<String> onB =
        Http.get(b.url() + "/v2/", "Authorization", "Basic " + CAROL.basicToken());
    assertEquals(429, onB.statusCode(), "even the right password, on the other replica");
    assertTrue(onB.body().contains("3 failed logins for 'carol'"), onB.body());
    assertTrue(onB.headers().firstValue("Retry-After").isPresent());
    assertEquals(200, basic(b, ROOT), "other names are not held");
  }

  @Test
  @Order(5)
  void eachReplicaEnforcesItsShareOfAQuota() throws Exception {
    // erin may burst 4 requests, so 2 on each of the 2 live replicas once the heartbeats are
    // counted (every 5 s): 4 requests at once on A then meet a 429. Rounds 5 s apart start on a
    // full bucket either way, so without the share every round passes whole.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      int refused = 0;
      HttpResponse<String> last = null;
      for (int i = 0; i < 4; i++) {
        last = Http.get(a.url() + "/v2/", "Authorization", "Basic " + ERIN.basicToken());
        refused += last.statusCode() == 429 ? 1 : 0;
      }
      if (refused > 0) {
        assertEquals(429, last.statusCode());
        assertTrue(last.body().contains("request rate over 0.5/s for 'erin'"), last.body());
        return;
      }
      assertTrue(System.nanoTime() < deadline, "A never applied its share of erin's quota");
      Thread.sleep(5_000);
    }
  }

  @Test
  @Order(6)
  void theRobotCommandWorksOnTheSharedState() throws Exception {
    Path config = dir.resolve("a").resolve("gateway.yaml");
    CommandResult create =
        GatewayProcess.run(dir, RobotCommandConfig.create(config, "ci-cli", "reader", "1h"));
    assertEquals(0, create.exitCode(), create.describe());
    JsonNode made = JSON.readTree(create.stdout().strip());
    Credentials robot = new Credentials("robot$ci-cli", made.get("secret").asText());
    assertEquals(200, basic(b, robot), "made by the CLI, logs in on a replica");

    CommandResult list = GatewayProcess.run(dir, "robot", "list", "--config", config.toString());
    assertEquals(0, list.exitCode(), list.describe());
    assertTrue(list.stdout().contains("\"name\":\"ci-cli\""), list.stdout());
    assertFalse(list.stdout().contains(robot.password()));

    CommandResult revoke =
        GatewayProcess.run(
            dir, "robot", "revoke", "--config", config.toString(), "--name", "ci-cli");
    assertEquals(0, revoke.exitCode(), revoke.describe());
    assertEquals(401, basic(b, robot), "the replica heard of it before the command ended");
  }

  @Test
  @Order(7)
  void withPostgresStoppedTheApiAndUnknownRobotsAre503UntilItIsBack() throws Exception {
    Credentials held = createRobot(a, "ci-held", "reader");
    assertEquals(200, basic(b, held));
    postgres.stop();
    try {
      HttpResponse<String> list = api(b, "GET", "", ROOT, null);
      assertEquals(503, list.statusCode(), list.body());
      assertEquals("UNAVAILABLE", Http.errorCode(list));
      assertEquals(
          503,
          api(a, "POST", "", ROOT, "{\"name\":\"ci-new\",\"role\":\"reader\",\"ttl\":\"1h\"}")
              .statusCode());
      assertEquals(503, api(a, "DELETE", "/ci-held", ROOT, null).statusCode());
      HttpResponse<String> unknown =
          Http.get(
              b.url() + "/v2/",
              "Authorization",
              "Basic " + new Credentials("robot$ci-unheard-of", "pcr_x").basicToken());
      assertEquals(503, unknown.statusCode(), unknown.body());
      assertTrue(unknown.body().contains("not known to this replica"), unknown.body());
      assertEquals(200, basic(b, held), "a robot held in memory keeps working (documented)");
    } finally {
      postgres.startAgain();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (api(b, "GET", "", ROOT, null).statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "the robots API did not recover");
      Thread.sleep(100);
    }
    assertEquals(
        401,
        basic(b, new Credentials("robot$ci-unheard-of", "pcr_x")),
        "checkable again: no such robot");
    Credentials after = createRobot(a, "ci-after", "reader");
    assertEquals(200, basic(b, after));
    assertEquals(204, api(a, "DELETE", "/ci-after", ROOT, null).statusCode());
    long revoked = System.nanoTime();
    while (basic(b, after) == 200) {
      assertTrue(
          System.nanoTime() - revoked < Duration.ofSeconds(5).toNanos(),
          "B's change feed did not come back after the outage");
      Thread.sleep(20);
    }
  }
}
