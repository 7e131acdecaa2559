package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.gateway.auth.RobotCommandConfig;
import io.portcullis.gateway.auth.RobotStore;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TestImages;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Robots and OIDC federation in the packaged gateway, run as a user runs it, in front of a real
 * docker-registry: robots made and revoked with the jar's {@code robot} commands while the gateway
 * runs, CI ID tokens exchanged at {@code /token} (keys from a JWKS file), skopeo pushing with both,
 * and neither secrets nor tokens in the gateway log or the audit log.
 */
class FederatedIdentityIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ISSUER = "https://ci.example.test";
  static final String FETCHED_ISSUER = "https://gitlab.example.test";
  static final Duration PICKUP = Duration.ofSeconds(10);

  @TempDir static Path dir;
  static RegistryProcess internal;
  static GatewayProcess gateway;
  static Skopeo plain;
  static TestImages images;
  static OciLayout image;
  static ECKey ciKey;
  static ECKey gitlabKey;

  /** Serves the second issuer's JWKS on loopback; answers only once a test lets it. */
  static HttpServer jwksServer;

  static final AtomicInteger jwksFetches = new AtomicInteger();
  static volatile CountDownLatch jwksGate = new CountDownLatch(0);
  static Path config;
  static Path robots;
  static Path audit;

  /** Every secret and token handed out in this class: none may appear in a log. */
  static final List<String> secrets = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    internal = RegistryProcess.start();
    plain = Skopeo.create();
    images = new TestImages(plain);
    image = images.build(ImageSpec.builder().layers(1, 32 * 1024).seed(77).build());
    images.push(image, internal.ref("team-a/app:v1"));
    images.push(image, internal.ref("team-b/app:v1"));

    ciKey = new ECKeyGenerator(Curve.P_256).keyID("ci-1").generate();
    Path jwks =
        Files.writeString(
            dir.resolve("ci-jwks.json"), new JWKSet(ciKey).toPublicJWKSet().toString());
    gitlabKey = new ECKeyGenerator(Curve.P_256).keyID("gl-1").generate();
    byte[] gitlabJwks =
        new JWKSet(gitlabKey).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
    jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwksServer.setExecutor(Executors.newCachedThreadPool());
    jwksServer.createContext(
        "/jwks",
        exchange -> {
          jwksFetches.incrementAndGet();
          try {
            jwksGate.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, gitlabJwks.length);
          exchange.getResponseBody().write(gitlabJwks);
          exchange.close();
        });
    jwksServer.start();
    String jwksUrl = "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks";
    robots = dir.resolve("data/robots.json");
    audit = dir.resolve("audit.jsonl");
    int port = FreePorts.loopback();
    String yaml =
        """
        server: {host: 127.0.0.1, port: %d}
        dataDir: %s
        upstreams:
          - {name: internal, url: '%s', prefix: '', push: true}
        audit: {file: %s}
        auth:
          roles:
            pusher: [{repositories: ["**"], actions: [pull, push]}]
            team-a-dev: [{repositories: ["team-a/**"], actions: [pull, push]}]
          robots: {file: %s}
          oidc:
            - issuer: %s
              audience: portcullis
              jwksFile: %s
              rules: [{claims: {repository: acme/app, ref: refs/heads/main}, roles: [team-a-dev]}]
            - issuer: %s
              audience: portcullis
              jwksUrl: %s
              rules: [{claims: {repository: acme/app}, roles: [team-a-dev]}]
          # Refused ID tokens and wrong secrets on purpose, all from one loopback address; QuotaIT
          # covers the failed-login limits.
          quotas: {failedLogins: {perAddress: 1000, perUser: 1000}}
        """
            .formatted(
                port,
                dir.resolve("data"),
                internal.url(),
                audit,
                robots,
                ISSUER,
                jwks,
                FETCHED_ISSUER,
                jwksUrl);
    gateway = GatewayProcess.start(dir, yaml, port);
    config = dir.resolve("gateway.yaml");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      String log = gateway.log();
      gateway.close();
      String auditText = Files.exists(audit) ? Files.readString(audit) : "";
      for (String s : secrets) {
        assertFalse(log.contains(s), "a secret or token in the gateway log");
        assertFalse(auditText.contains(s), "a secret or token in the audit log");
      }
    }
    jwksServer.stop(0);
    images.close();
    plain.close();
    internal.close();
  }

  // ---- robots ----

  @Test
  void aRobotScopedToTeamAPushesTeamAButNotTeamB() throws Exception {
    Credentials robot = createRobot("ci-scoped", "pusher", "team-a/**", "1h");
    Duration seen = awaitLogin(robot, 200);
    System.out.printf("robot create seen by the running gateway after %d ms%n", seen.toMillis());

    try (Skopeo ci = Skopeo.builder().srcCreds(robot).destCreds(robot).build()) {
      ci.copy(image.ref(), gw("team-a/app:robot"), "--preserve-digests").orThrow();
      assertEquals(
          image.digest(),
          plain.inspect(internal.ref("team-a/app:robot")).orThrow().json().get("Digest").asText());
      CommandResult teamB = ci.copy(image.ref(), gw("team-b/app:robot"));
      assertFalse(teamB.ok(), "its role allows everything, its scope only team-a/**");
      assertTrue(teamB.stderr().contains("403"), teamB.stderr());
    }
    assertEquals(0, internal.count("PUT", "/v2/team-b/app/manifests/robot"));
    assertEquals(
        403,
        Http.send(
                "POST",
                gateway.url() + "/v2/team-b/app/blobs/uploads/",
                null,
                "Authorization",
                "Basic " + robot.basicToken())
            .statusCode());
  }

  @Test
  void aRevokedRobotLosesBasicLoginsTokensAndRefreshTokensWhileTheGatewayRuns() throws Exception {
    Credentials robot = createRobot("ci-revoked", "team-a-dev", null, "1h");
    awaitLogin(robot, 200);
    HttpResponse<String> granted =
        form(
            "grant_type=password&access_type=offline&username="
                + enc(robot.username())
                + "&password="
                + enc(robot.password())
                + "&scope="
                + enc("repository:team-a/app:pull"));
    assertEquals(200, granted.statusCode(), granted.body());
    JsonNode t = JSON.readTree(granted.body());
    String access = t.get("access_token").asText();
    String refresh = t.get("refresh_token").asText();
    secrets.add(access);
    secrets.add(refresh);
    assertEquals(200, pullWithBearer(access));

    CommandResult revoke =
        jar("robot", "revoke", "--config", config.toString(), "--name", "ci-revoked");
    assertEquals(0, revoke.exitCode(), revoke.stderr());
    long start = System.nanoTime();
    awaitLogin(robot, 401);
    long deadline = System.nanoTime() + PICKUP.toNanos();
    while (pullWithBearer(access) != 401 && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the gateway: the change has no event a test can wait on
    }
    System.out.printf(
        "robot revoke seen by the running gateway after %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
    assertEquals(401, pullWithBearer(access), "a token issued before the revocation is dead too");
    assertEquals(
        401,
        form("grant_type=refresh_token&refresh_token=" + enc(refresh)).statusCode(),
        "no new token from the refresh token");
    try (Skopeo ci = Skopeo.builder().srcCreds(robot).build()) {
      assertFalse(ci.copy(gw("team-a/app:v1"), "dir:" + dir.resolve("revoked")).ok());
    }
  }

  @Test
  void anExpiredRobotIsRefused() throws Exception {
    // Written by the gateway's own store with a clock two days back: created then, valid 1 h.
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC);
    String secret =
        RobotStore.open(robots, past)
            .create("ci-expired", List.of("team-a-dev"), List.of(), Duration.ofHours(1))
            .secret();
    secrets.add(secret);
    Credentials robot = new Credentials("robot$ci-expired", secret);
    // A robot made after it, and valid, shows the gateway has read the file by now.
    awaitLogin(createRobot("ci-witness", "team-a-dev", null, "1h"), 200);
    assertEquals(401, basicPull(robot));
    HttpResponse<String> token =
        Http.get(
            gateway.url() + "/token?scope=repository:team-a/app:pull",
            "Authorization",
            "Basic " + robot.basicToken());
    assertEquals(401, token.statusCode());
    assertFalse(token.body().contains("\"token\""), token.body());
  }

  // ---- OIDC ----

  @Test
  void aCiIdTokenIsGrantedExactlyItsMappedRole() throws Exception {
    String idToken = idToken(ciKey, c -> c);
    Credentials oidc = new Credentials("oidc", idToken);
    HttpResponse<String> r =
        Http.get(
            gateway.url()
                + "/token?service=portcullis&scope=repository:team-a/app:pull,push"
                + "&scope=repository:team-b/app:pull,push&scope=repository:team-a/app:delete",
            "Authorization",
            "Basic " + oidc.basicToken());
    assertEquals(200, r.statusCode(), r.body());
    String token = JSON.readTree(r.body()).get("token").asText();
    secrets.add(token);
    JsonNode claims = claims(token);
    assertEquals(
        "oidc:" + ISSUER + ":repo:acme/app:ref:refs/heads/main", claims.get("sub").asText());
    assertEquals("OIDC", claims.get("kind").asText());
    assertEquals(JSON.readTree("[\"team-a-dev\"]"), claims.get("roles"));
    assertEquals(
        JSON.readTree(
            "[{\"type\":\"repository\",\"name\":\"team-a/app\",\"actions\":[\"pull\",\"push\"]}]"),
        claims.get("access"),
        "team-a-dev's pull and push on team-a, nothing on team-b, no delete");

    // The OAuth2 form works the same, and skopeo pushes with the ID token as its password.
    HttpResponse<String> post =
        form(
            "grant_type=password&username=oidc&password="
                + enc(idToken)
                + "&scope="
                + enc("repository:team-b/app:pull"));
    assertEquals(200, post.statusCode(), post.body());
    assertFalse(JSON.readTree(post.body()).has("scope"), "nothing on team-b");
    try (Skopeo ci = Skopeo.builder().srcCreds(oidc).destCreds(oidc).build()) {
      ci.copy(image.ref(), gw("team-a/app:oidc"), "--preserve-digests").orThrow();
      assertFalse(ci.copy(image.ref(), gw("team-b/app:oidc")).ok());
    }
    assertEquals(
        image.digest(),
        plain.inspect(internal.ref("team-a/app:oidc")).orThrow().json().get("Digest").asText());
    assertEquals(0, internal.count("PUT", "/v2/team-b/app/manifests/oidc"));
  }

  @Test
  void fetchedKeysAreCachedAndASlowKeyServerBlocksNoOtherRequest() throws Exception {
    jwksGate = new CountDownLatch(1);
    String idToken = idToken(gitlabKey, c -> c.issuer(FETCHED_ISSUER));
    CompletableFuture<HttpResponse<String>> exchange =
        Http.CLIENT.sendAsync(
            HttpRequest.newBuilder(
                    URI.create(gateway.url() + "/token?scope=repository:team-a/app:pull"))
                .header("Authorization", "Basic " + new Credentials("oidc", idToken).basicToken())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (jwksFetches.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10); // until the gateway is inside the key fetch
      }
      assertEquals(1, jwksFetches.get(), "the gateway is fetching the issuer's keys");
      long t0 = System.nanoTime();
      HttpResponse<String> meanwhile =
          Http.get(
              gateway.url() + "/v2/team-a/app/manifests/v1",
              "Authorization",
              "Basic " + new Credentials("robot$nobody", "x").basicToken());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(401, meanwhile.statusCode());
      assertFalse(exchange.isDone(), "the key server has not answered yet");
      System.out.printf("a request served in %d ms while a JWKS fetch hung%n", ms);
    } finally {
      jwksGate.countDown();
    }
    HttpResponse<String> granted = exchange.get(30, TimeUnit.SECONDS);
    assertEquals(200, granted.statusCode(), granted.body());
    secrets.add(JSON.readTree(granted.body()).get("token").asText());
    assertEquals(
        "team-a/app",
        claims(JSON.readTree(granted.body()).get("token").asText())
            .get("access")
            .get(0)
            .get("name")
            .asText());
    HttpResponse<String> again =
        Http.get(
            gateway.url() + "/token?scope=repository:team-a/app:pull",
            "Authorization",
            "Basic "
                + new Credentials("oidc", idToken(gitlabKey, c -> c.issuer(FETCHED_ISSUER)))
                    .basicToken());
    assertEquals(200, again.statusCode());
    assertEquals(1, jwksFetches.get(), "the key set is cached");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "unknown issuer",
        "bad signature",
        "claim does not match",
        "wrong audience",
        "expired",
        "unknown kid",
        "alg none",
        "garbage",
        "empty",
      })
  void refusedIdTokensAre401NeverServerErrors(String defect) throws Exception {
    String idToken =
        switch (defect) {
          case "unknown issuer" -> idToken(ciKey, c -> c.issuer("https://evil.example.test"));
          case "bad signature" ->
              // Signed by another key that claims the issuer's kid.
              idToken(new ECKeyGenerator(Curve.P_256).keyID("ci-1").generate(), c -> c);
          case "claim does not match" -> idToken(ciKey, c -> c.claim("ref", "refs/heads/evil"));
          case "wrong audience" -> idToken(ciKey, c -> c.audience("someone-else"));
          case "expired" ->
              idToken(
                  ciKey,
                  c ->
                      c.issueTime(Date.from(Instant.now().minusSeconds(3600)))
                          .notBeforeTime(Date.from(Instant.now().minusSeconds(3600)))
                          .expirationTime(Date.from(Instant.now().minusSeconds(1800))));
          case "unknown kid" ->
              idToken(new ECKeyGenerator(Curve.P_256).keyID("ci-9").generate(), c -> c);
          case "alg none" -> unsigned(idToken(ciKey, c -> c));
          case "garbage" -> "not.a.jwt";
          default -> "";
        };
    HttpResponse<String> get =
        Http.get(
            gateway.url() + "/token?scope=repository:team-a/app:pull",
            "Authorization",
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(("oidc:" + idToken).getBytes(StandardCharsets.UTF_8)));
    assertEquals(401, get.statusCode(), get.body());
    assertFalse(get.body().contains("\"token\""), get.body());
    HttpResponse<String> post = form("grant_type=password&username=oidc&password=" + enc(idToken));
    assertEquals(401, post.statusCode(), post.body());
    HttpResponse<String> v2 =
        Http.get(
            gateway.url() + "/v2/team-a/app/manifests/v1",
            "Authorization",
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(("oidc:" + idToken).getBytes(StandardCharsets.UTF_8)));
    assertEquals(401, v2.statusCode(), v2.body());
  }

  @Test
  void everyDecisionIsAuditedUnderItsSubject() throws Exception {
    Credentials robot = createRobot("ci-audited", "team-a-dev", null, "1h");
    awaitLogin(robot, 200);
    basicPull(new Credentials(robot.username(), "wrong-" + robot.password()));
    String idToken = idToken(ciKey, c -> c);
    Http.get(
        gateway.url() + "/token?scope=repository:team-a/app:pull",
        "Authorization",
        "Basic " + new Credentials("oidc", idToken).basicToken());
    String oidcSubject = "oidc:" + ISSUER + ":repo:acme/app:ref:refs/heads/main";
    String text = AuditRecords.await(audit, "\"subject\":\"" + oidcSubject + "\"");
    List<JsonNode> records = AuditRecords.parse(text);
    assertTrue(
        AuditRecords.any(
            records, "subject", "robot$ci-audited", "identityKind", "robot", "outcome", "allowed"),
        text);
    assertTrue(
        AuditRecords.any(records, "subject", "robot$ci-audited", "outcome", "rejected"),
        "the wrong secret: " + text);
    assertTrue(
        AuditRecords.any(
            records, "subject", oidcSubject, "event", "authentication", "outcome", "authenticated"),
        text);
    assertTrue(
        AuditRecords.any(
            records, "subject", oidcSubject, "identityKind", "oidc", "outcome", "granted"),
        text);
    assertFalse(text.contains(robot.password()));
    assertFalse(text.contains(idToken));
    assertFalse(text.contains("eyJ"), "no token of any kind");
    assertFalse(gateway.log().contains(idToken));
    assertFalse(gateway.log().contains(robot.password()));
  }

  // ---- helpers ----

  /** {@code robot create} through the packaged jar; the secret it prints once. */
  static Credentials createRobot(String name, String role, String scope, String ttl)
      throws Exception {
    String[] scoped = scope == null ? new String[0] : new String[] {"--scope", scope};
    CommandResult r = jar(RobotCommandConfig.create(config, name, role, ttl, scoped));
    assertEquals(0, r.exitCode(), r.stderr());
    JsonNode created = JSON.readTree(r.stdout());
    String secret = created.get("secret").asText();
    secrets.add(secret);
    return new Credentials(created.get("username").asText(), secret);
  }

  static CommandResult jar(String... args) {
    return GatewayProcess.run(dir, args);
  }

  /** Polls until a Basic pull by {@code c} gets {@code status}; how long that took. */
  static Duration awaitLogin(Credentials c, int status) throws Exception {
    long start = System.nanoTime();
    long deadline = start + PICKUP.toNanos();
    int last;
    do {
      last = basicPull(c);
      if (last == status) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(
        c.username() + " still gets " + last + ", not " + status + ", after " + PICKUP);
  }

  static int basicPull(Credentials c) throws Exception {
    return Http.get(
            gateway.url() + "/v2/team-a/app/manifests/v1",
            "Authorization",
            "Basic " + c.basicToken(),
            "Accept",
            "application/vnd.oci.image.manifest.v1+json")
        .statusCode();
  }

  static int pullWithBearer(String token) throws Exception {
    return Http.get(
            gateway.url() + "/v2/team-a/app/manifests/v1",
            "Authorization",
            "Bearer " + token,
            "Accept",
            "application/vnd.oci.image.manifest.v1+json")
        .statusCode();
  }

  /** A GitHub Actions-like ID token for acme/app on main, changed by {@code edit}. */
  static String idToken(ECKey key, UnaryOperator<JWTClaimsSet.Builder> edit) throws Exception {
    Instant now = Instant.now();
    JWTClaimsSet.Builder c =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience("portcullis")
            .subject("repo:acme/app:ref:refs/heads/main")
            .issueTime(Date.from(now.minusSeconds(5)))
            .notBeforeTime(Date.from(now.minusSeconds(5)))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .claim("repository", "acme/app")
            .claim("ref", "refs/heads/main")
            .claim("workflow", "release");
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
            edit.apply(c).build());
    jwt.sign(new ECDSASigner(key));
    String token = jwt.serialize();
    secrets.add(token);
    return token;
  }

  /** The same claims with {@code alg: none} and no signature. */
  static String unsigned(String jwt) {
    String header =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"alg\":\"none\",\"kid\":\"ci-1\"}".getBytes(StandardCharsets.UTF_8));
    return header + "." + jwt.split("\\.")[1] + ".";
  }

  static JsonNode claims(String jwt) throws Exception {
    return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }

  static HttpResponse<String> form(String body) throws Exception {
    return Http.send(
        "POST",
        gateway.url() + "/token",
        body.getBytes(StandardCharsets.UTF_8),
        "Content-Type",
        "application/x-www-form-urlencoded");
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String gw(String repoAndTag) {
    return "docker://" + gateway.url().substring("http://".length()) + "/" + repoAndTag;
  }
}
