package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import io.portcullis.gateway.auth.ForgedTokens;
import io.portcullis.gateway.testing.FaultyUpstream;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway's own access control in front of real registries: the token flow docker and skopeo
 * follow, Basic credentials on /v2, the OAuth2 password and refresh-token grants, a role × action ×
 * repository matrix, forged tokens, the audit trail with request ids (forwarded to the upstream
 * too) and the signing key's file.
 */
class AccessControlIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Credentials ALICE = new Credentials("alice", "alice-pw");
  static final Credentials BOB = new Credentials("bob", "bob-pw");

  @TempDir static Path dir;
  static RegistryProcess hub;
  static RegistryProcess internal;

  /** Records the headers that reach {@code internal} under the gateway prefix {@code traced}. */
  static FaultyUpstream traced;

  static GatewayFixture gateway;
  static Skopeo anonymous;
  static TestImages images;
  static OciLayout image;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    hub = RegistryProcess.start();
    internal = RegistryProcess.start();
    anonymous = Skopeo.create();
    images = new TestImages(anonymous);
    image = images.build(ImageSpec.builder().layers(2, 64 * 1024).seed(51).build());
    images.push(image, hub.ref("library/alpine:1"));
    images.push(image, internal.ref("team-a/app:v1"));
    images.push(image, internal.ref("team-b/app:v1"));
    traced = FaultyUpstream.start(internal);
    gateway = startGateway();
  }

  static GatewayFixture startGateway() throws Exception {
    Path htpasswd = dir.resolve("htpasswd");
    if (!Files.exists(htpasswd)) {
      Files.writeString(htpasswd, entry(ALICE) + entry(BOB));
    }
    return GatewayFixture.builder(dir.resolve("data"))
        .upstream("hub", hub.url(), "docker.io", false)
        .upstream("internal", internal.url(), "", true)
        .upstream("traced", traced.url(), "traced", false)
        .extra(
            """
            audit: {file: %s}
            auth:
              htpasswdFile: %s
              anonymous: [{repositories: ["docker.io/**"], actions: [pull]}]
              roles:
                reader: [{repositories: ["**"], actions: [pull]}]
                team-a-dev:
                  - {repositories: ["team-a/**"], actions: [pull, push]}
                  - {repositories: ["team-a/frozen"], actions: [push], effect: deny}
              users: {alice: [reader], bob: [team-a-dev]}
              # These tests fail logins on purpose, all from one loopback address; QuotaIT covers
              # the failed-login limits.
              quotas: {failedLogins: {perAddress: 1000, perUser: 1000}}
            """
                .formatted(dir.resolve("audit.jsonl"), htpasswd))
        .start();
  }

  static String entry(Credentials c) {
    return c.username()
        + ":"
        + OpenBSDBCrypt.generate(c.password().toCharArray(), new SecureRandom().generateSeed(16), 5)
        + "\n";
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, anonymous, gateway, traced, hub, internal);
  }

  // ---- skopeo: the docker-style token flow (401 challenge, GET /token, retry) ----

  @Test
  void alicePullsWithSkopeoButCannotPush() throws Exception {
    try (Skopeo alice = Skopeo.builder().srcCreds(ALICE).destCreds(ALICE).build()) {
      Path out = dir.resolve("alice-pull");
      alice.copy(gw("team-b/app:v1"), "dir:" + out).orThrow();
      assertEquals(image.digest(), DirImage.read(out).manifestDigest());

      CommandResult push = alice.copy(image.ref(), gw("team-a/alice-was-here:v1"));
      assertFalse(push.ok());
      assertTrue(
          push.stderr().contains("'alice' may not push team-a/alice-was-here"), push.stderr());
    }
    assertEquals(
        0, internal.count("POST", "/v2/team-a/alice-was-here/.*"), "refused before upstream");
  }

  @Test
  void bobPushesTeamAButNotTeamBNorAFrozenRepository() throws Exception {
    try (Skopeo bob = Skopeo.builder().srcCreds(BOB).destCreds(BOB).build()) {
      bob.copy(image.ref(), gw("team-a/app:v2"), "--preserve-digests").orThrow();
      String landed =
          anonymous.inspect(internal.ref("team-a/app:v2")).orThrow().json().get("Digest").asText();
      assertEquals(image.digest(), landed);

      CommandResult teamB = bob.copy(image.ref(), gw("team-b/app:v2"));
      assertFalse(teamB.ok());
      // skopeo first checks whether the blobs are there, which needs pull: refused as well.
      assertTrue(teamB.stderr().contains("team-b/app: 403"), teamB.stderr());

      CommandResult frozen = bob.copy(image.ref(), gw("team-a/frozen:v1"));
      assertFalse(frozen.ok(), "deny beats the team-a/** allow");

      CommandResult pullB = bob.copy(gw("team-b/app:v1"), "dir:" + dir.resolve("bob-b"));
      assertFalse(pullB.ok(), "bob has no role that reads team-b");
    }
  }

  @Test
  void anonymousPullsDockerIoOnly() {
    Path out = dir.resolve("anon-hub");
    anonymous.copy(gw("docker.io/library/alpine:1"), "dir:" + out).orThrow();
    assertEquals(image.digest(), DirImage.read(out).manifestDigest());
    assertFalse(anonymous.copy(gw("team-a/app:v1"), "dir:" + dir.resolve("anon-a")).ok());
  }

  @Test
  void aWrongPasswordGetsNothing() {
    try (Skopeo wrong =
        Skopeo.builder().srcCreds(new Credentials("alice", "not-her-password")).build()) {
      CommandResult r = wrong.copy(gw("team-a/app:v1"), "dir:" + dir.resolve("wrong"));
      assertFalse(r.ok());
      assertFalse(r.stderr().contains("not-her-password"));
    }
  }

  // ---- raw HTTP: a role × action × repository matrix with Basic credentials on /v2 ----

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "alice | GET    | /v2/team-a/app/manifests/v1          | 200",
        "alice | HEAD   | /v2/team-b/app/manifests/v1          | 200",
        "alice | GET    | /v2/team-a/app/tags/list             | 200",
        "alice | POST   | /v2/team-a/app/blobs/uploads/        | 403",
        "alice | PUT    | /v2/team-a/app/manifests/v9          | 403",
        "alice | DELETE | /v2/team-a/app/manifests/v1          | 403",
        "bob   | POST   | /v2/team-a/matrix/blobs/uploads/     | 202",
        "bob   | POST   | /v2/team-b/matrix/blobs/uploads/     | 403",
        "bob   | POST   | /v2/team-a/frozen/blobs/uploads/     | 403",
        "bob   | GET    | /v2/team-b/app/manifests/v1          | 403",
        "bob   | DELETE | /v2/team-a/app/manifests/v1          | 403",
        "bob   | GET    | /v2/docker.io/library/alpine/manifests/1 | 200",
        "bob   | GET    | /v2/                                 | 200",
        "-     | GET    | /v2/                                 | 401",
        "-     | GET    | /v2/docker.io/library/alpine/manifests/1 | 401",
        "-     | GET    | /v2/team-a/app/manifests/v1          | 401",
        "eve   | GET    | /v2/team-a/app/manifests/v1          | 401",
      })
  void basicCredentialsMatrix(String user, String method, String path, int status)
      throws Exception {
    String[] headers =
        switch (user) {
          case "alice" -> basic(ALICE);
          case "bob" -> basic(BOB);
          case "eve" -> basic(new Credentials("eve", "guess"));
          default -> new String[0];
        };
    String[] all = concat(headers, "Accept", "application/vnd.oci.image.manifest.v1+json");
    HttpResponse<String> r =
        Http.send(
            method,
            gateway.url() + path,
            method.equals("PUT") ? "{}".getBytes(StandardCharsets.UTF_8) : null,
            all);
    assertEquals(status, r.statusCode(), r.body());
    if (status == 401) {
      String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
      assertTrue(challenge.startsWith("Bearer realm=\"" + gateway.url() + "/token\""), challenge);
      assertTrue(challenge.contains("service=\"portcullis\""), challenge);
      assertEquals("UNAUTHORIZED", Http.errorCode(r));
    }
    if (status == 403) {
      assertEquals("DENIED", Http.errorCode(r));
    }
  }

  @Test
  void theChallengeNamesTheScopeTheRequestNeeds() throws Exception {
    HttpResponse<String> pull = Http.get(gateway.url() + "/v2/team-a/app/manifests/v1");
    assertEquals(
        "Bearer realm=\""
            + gateway.url()
            + "/token\",service=\"portcullis\",scope=\"repository:team-a/app:pull\"",
        pull.headers().firstValue("WWW-Authenticate").orElseThrow());
    HttpResponse<String> push =
        Http.send("POST", gateway.url() + "/v2/team-a/app/blobs/uploads/", null);
    assertTrue(
        push.headers()
            .firstValue("WWW-Authenticate")
            .orElseThrow()
            .endsWith("scope=\"repository:team-a/app:pull,push\""));
  }

  // ---- the token endpoint ----

  @Test
  void tokenFlowGrantsTheIntersectionOfScopeAndRoles() throws Exception {
    JsonNode t =
        token(
            "?service=portcullis&scope=repository:team-a/app:pull,push&scope=repository:team-b/app:pull",
            ALICE);
    assertEquals(t.get("token").asText(), t.get("access_token").asText());
    assertEquals(300, t.get("expires_in").asInt());
    assertNotNull(t.get("issued_at"));
    assertFalse(t.has("refresh_token"));
    JsonNode claims = claims(t.get("token").asText());
    assertEquals("alice", claims.get("sub").asText());
    assertEquals("portcullis", claims.get("aud").asText());
    assertEquals(
        JSON.readTree(
            "[{\"type\":\"repository\",\"name\":\"team-a/app\",\"actions\":[\"pull\"]},"
                + "{\"type\":\"repository\",\"name\":\"team-b/app\",\"actions\":[\"pull\"]}]"),
        claims.get("access"));

    String bearer = "Bearer " + t.get("token").asText();
    HttpResponse<String> ok =
        Http.get(gateway.url() + "/v2/team-a/app/manifests/v1", "Authorization", bearer);
    assertEquals(200, ok.statusCode());
    assertEquals(image.digest(), ok.headers().firstValue("Docker-Content-Digest").orElseThrow());

    HttpResponse<String> otherRepo =
        Http.get(
            gateway.url() + "/v2/docker.io/library/alpine/manifests/1", "Authorization", bearer);
    assertEquals(
        401, otherRepo.statusCode(), "alice could pull it, but this token does not say so");
    assertTrue(
        otherRepo
            .headers()
            .firstValue("WWW-Authenticate")
            .orElseThrow()
            .contains("error=\"insufficient_scope\""));

    HttpResponse<String> push =
        Http.send(
            "POST", gateway.url() + "/v2/team-a/app/blobs/uploads/", null, "Authorization", bearer);
    assertEquals(403, push.statusCode(), "alice can never push: 403, not another challenge");
  }

  @Test
  void anonymousTokensCoverTheAnonymousRulesOnly() throws Exception {
    JsonNode t =
        token(
            "?scope=repository:docker.io/library/alpine:pull&scope=repository:team-a/app:pull",
            null);
    JsonNode access = claims(t.get("token").asText()).get("access");
    assertEquals(1, access.size(), access.toString());
    assertEquals("docker.io/library/alpine", access.get(0).get("name").asText());
    String bearer = "Bearer " + t.get("token").asText();
    assertEquals(
        200,
        Http.get(
                gateway.url() + "/v2/docker.io/library/alpine/manifests/1", "Authorization", bearer)
            .statusCode());
    assertEquals(
        401,
        Http.get(gateway.url() + "/v2/team-a/app/manifests/v1", "Authorization", bearer)
            .statusCode());
    assertEquals(200, Http.get(gateway.url() + "/v2/", "Authorization", bearer).statusCode());
  }

  @Test
  void unknownUsersAndWrongPasswordsGetNoTokenAt401() throws Exception {
    for (Credentials c :
        List.of(new Credentials("alice", "not-it"), new Credentials("nobody", "alice-pw"))) {
      HttpResponse<String> r =
          Http.get(gateway.url() + "/token?scope=repository:team-a/app:pull", basic(c));
      assertEquals(401, r.statusCode());
      assertTrue(r.headers().firstValue("WWW-Authenticate").isPresent());
      assertFalse(r.body().contains("token\""), r.body());
      assertFalse(r.body().contains(c.password()));
    }
  }

  @Test
  void postPasswordGrantWithOfflineAccessThenRefreshTokenGrant() throws Exception {
    HttpResponse<String> first =
        form(
            "grant_type=password&service=portcullis&client_id=test&access_type=offline"
                + "&username=bob&password=bob-pw&scope="
                + enc("repository:team-a/app:pull,push"));
    assertEquals(200, first.statusCode(), first.body());
    JsonNode t = JSON.readTree(first.body());
    String refresh = t.get("refresh_token").asText();
    assertEquals(
        "[\"pull\",\"push\"]",
        claims(t.get("access_token").asText()).get("access").get(0).get("actions").toString());

    HttpResponse<String> second =
        form(
            "grant_type=refresh_token&service=portcullis&client_id=test&refresh_token="
                + enc(refresh)
                + "&scope="
                + enc("repository:team-a/app:pull repository:team-b/app:pull"));
    assertEquals(200, second.statusCode(), second.body());
    JsonNode t2 = JSON.readTree(second.body());
    assertFalse(t2.has("refresh_token"), "only for access_type=offline");
    JsonNode access = claims(t2.get("access_token").asText()).get("access");
    assertEquals(1, access.size(), "bob still cannot read team-b: " + access);
    assertEquals(
        200,
        Http.get(
                gateway.url() + "/v2/team-a/app/manifests/v1",
                "Authorization",
                "Bearer " + t2.get("access_token").asText())
            .statusCode());

    // Neither token stands in for the other.
    assertEquals(
        401,
        form("grant_type=refresh_token&refresh_token=" + enc(t.get("access_token").asText()))
            .statusCode());
    assertEquals(
        401,
        Http.get(
                gateway.url() + "/v2/team-a/app/manifests/v1", "Authorization", "Bearer " + refresh)
            .statusCode());
    HttpResponse<String> wrong = form("grant_type=password&username=bob&password=nope");
    assertEquals(401, wrong.statusCode());
    assertTrue(wrong.headers().firstValue("WWW-Authenticate").isPresent());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "grant_type=client_credentials",
        "grant_type=password&username=bob",
        "grant_type=refresh_token",
        "grant_type=password&username=%zz&password=x",
        "service=someone-else&grant_type=password&username=bob&password=bob-pw",
      })
  void malformedTokenRequestsAre400(String body) throws Exception {
    HttpResponse<String> r = form(body);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"error\""), r.body());
  }

  @Test
  void malformedScopesAreIgnoredAndOtherMethodsAre405() throws Exception {
    JsonNode t =
        token("?scope=repository::pull&scope=garbage&scope=repository:team-a/app:pull", ALICE);
    assertEquals(1, claims(t.get("token").asText()).get("access").size());
    assertEquals(405, Http.send("DELETE", gateway.url() + "/token", null).statusCode());
  }

  // ---- forged and broken credentials: 401 with a challenge, never 500 ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bearer not-a-token",
        "Bearer ",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImFjY2VzcyI6W119.",
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
        "Basic !!!not-base64!!!",
        "Basic " + "bm8tY29sb24=",
        "Basic",
        "Digest username=alice",
        "Negotiate xyz",
      })
  void forgedOrMalformedCredentialsAre401NeverServerErrors(String authorization) throws Exception {
    HttpResponse<String> r =
        Http.get(gateway.url() + "/v2/team-a/app/manifests/v1", "Authorization", authorization);
    assertEquals(401, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer "));
  }

  @Test
  void aTamperedTokenIsRejected() throws Exception {
    String token = token("?scope=repository:team-a/app:pull", ALICE).get("token").asText();
    String[] parts = token.split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("\"pull\"", "\"push\"");
    String forged =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];
    HttpResponse<String> r =
        Http.send(
            "POST",
            gateway.url() + "/v2/team-a/app/blobs/uploads/",
            null,
            "Authorization",
            "Bearer " + forged);
    assertEquals(401, r.statusCode());
    assertTrue(
        r.headers()
            .firstValue("WWW-Authenticate")
            .orElseThrow()
            .contains("error=\"invalid_token\""));
  }

  /**
   * Tokens made with the gateway's own key (read from its key file) but with a defect in the
   * claims, and the classic key-confusion forgery: HS256 with the public key as the HMAC secret.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "hs256 with the public key",
        "wrong issuer",
        "wrong audience",
        "expired",
        "not yet valid",
        "no kid",
        "other kid",
        "refresh token as access token",
        "alg none with a valid payload",
      })
  void forgedTokensAre401WithInvalidToken(String defect) throws Exception {
    ECKey key = tokenKey();
    String kid = currentKid();
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        ForgedTokens.accessClaims(
            now, "alice", List.of("reader", "team-a-dev"), "team-a/app", "forged");
    String forged =
        switch (defect) {
          case "hs256 with the public key" ->
              ForgedTokens.hs256(kid, claims.build(), ForgedTokens.publicKeyAsHmacSecret(key));
          case "wrong issuer" ->
              ForgedTokens.es256(key, kid, claims.issuer("someone-else").build());
          case "wrong audience" ->
              ForgedTokens.es256(key, kid, claims.audience("another-registry").build());
          case "expired" ->
              ForgedTokens.es256(
                  key,
                  kid,
                  claims
                      .issueTime(Date.from(now.minusSeconds(7200)))
                      .notBeforeTime(Date.from(now.minusSeconds(7200)))
                      .expirationTime(Date.from(now.minusSeconds(3600)))
                      .build());
          case "not yet valid" ->
              ForgedTokens.es256(
                  key, kid, claims.notBeforeTime(Date.from(now.plusSeconds(3600))).build());
          case "no kid" -> ForgedTokens.es256(key, null, claims.build());
          case "other kid" -> ForgedTokens.es256(key, "not-" + kid, claims.build());
          case "refresh token as access token" ->
              ForgedTokens.es256(key, kid, new JOSEObjectType("refresh+jwt"), claims.build());
          case "alg none with a valid payload" -> {
            String none =
                Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(
                        ("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}")
                            .getBytes(StandardCharsets.UTF_8));
            yield none + "." + ForgedTokens.es256(key, kid, claims.build()).split("\\.")[1] + ".";
          }
          default -> throw new IllegalArgumentException(defect);
        };
    HttpResponse<String> r =
        Http.get(
            gateway.url() + "/v2/team-a/app/manifests/v1", "Authorization", "Bearer " + forged);
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("UNAUTHORIZED", Http.errorCode(r));
    assertTrue(
        r.headers()
            .firstValue("WWW-Authenticate")
            .orElseThrow()
            .contains("error=\"invalid_token\""));
  }

  @Test
  void theControlForgeryWithTheRealKeyIsAccepted() throws Exception {
    // Proves the forgeries above fail for their defect, not for the way the test builds tokens.
    String control =
        ForgedTokens.es256(
            tokenKey(),
            currentKid(),
            ForgedTokens.accessClaims(
                    Instant.now(), "alice", List.of("reader"), "team-a/app", "control")
                .build());
    assertEquals(
        200,
        Http.get(
                gateway.url() + "/v2/team-a/app/manifests/v1", "Authorization", "Bearer " + control)
            .statusCode());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "repository:team-a/app",
        "repository:team-a/app:",
        "repository::pull",
        "repository:Team-A/App:pull",
        "repository:team-a/../team-b/app:pull",
        "repository:team-a/app:pull,fly",
        "repository:team-a/app:pull:push",
        "repository:team-a/app:%00pull",
        "repository:%2e%2e/app:pull",
        "garbage",
        ":::",
        "registry:catalog:*",
        "repository:team-a/app:pull repository:team-b/app:*",
      })
  void malformedScopesGrantNothingExtraAndNeverFail(String scope) throws Exception {
    String q = "?scope=" + enc(scope) + "&scope=" + enc("repository:team-b/app:pull");
    HttpResponse<String> r = Http.get(gateway.url() + "/token" + q, basic(ALICE));
    assertEquals(200, r.statusCode(), r.body());
    JsonNode access = claims(JSON.readTree(r.body()).get("token").asText()).get("access");
    for (JsonNode a : access) {
      assertTrue(a.get("name").asText().matches("team-[ab]/app"), "only valid names: " + access);
      for (JsonNode action : a.get("actions")) {
        assertEquals("pull", action.asText(), "alice may only pull: " + access);
      }
    }
    HttpResponse<String> post =
        form("grant_type=password&username=alice&password=alice-pw&scope=" + enc(scope));
    assertEquals(200, post.statusCode(), post.body());
  }

  /** The gateway's token signing key, read from its data directory. */
  private static ECKey tokenKey() throws Exception {
    return (ECKey)
        JWK.parseFromPEMEncodedObjects(Files.readString(dir.resolve("data/token-key.pem")));
  }

  /** The kid in the header of a token the gateway issues now. */
  private static String currentKid() throws Exception {
    String jwt = token("?scope=repository:team-a/app:pull", ALICE).get("token").asText();
    return JSON.readTree(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))))
        .get("kid")
        .asText();
  }

  // ---- cross-repository mount ----

  @Test
  void mountWithoutPullOnTheSourceFallsBackToAnUpload() throws Exception {
    String layer =
        JSON.readTree(
                Http.get(
                        internal.url() + "/v2/team-b/app/manifests/v1",
                        "Accept",
                        "application/vnd.oci.image.manifest.v1+json")
                    .body())
            .get("layers")
            .get(0)
            .get("digest")
            .asText();
    HttpResponse<String> fromB = mountIntoTeamA(layer, "team-b/app", BOB);
    assertEquals(202, fromB.statusCode(), "bob cannot read team-b: a plain upload session");
    HttpResponse<String> fromA = mountIntoTeamA(layer, "team-a/app", BOB);
    assertEquals(201, fromA.statusCode(), fromA.body());
  }

  /** A cross-repository mount of {@code layer} from {@code source} into team-a/mounted. */
  private static HttpResponse<String> mountIntoTeamA(String layer, String source, Credentials c)
      throws Exception {
    return Http.send(
        "POST",
        gateway.url() + "/v2/team-a/mounted/blobs/uploads/?mount=" + layer + "&from=" + source,
        null,
        basic(c));
  }

  // ---- audit and key ----

  @Test
  void decisionsAreAuditedWithoutSecrets() throws Exception {
    Http.get(gateway.url() + "/v2/", basic(BOB));
    Http.get(gateway.url() + "/v2/team-a/app/manifests/v1", basic(ALICE));
    Http.send("POST", gateway.url() + "/v2/team-a/app/blobs/uploads/", null, basic(ALICE));
    Http.get(
        gateway.url() + "/v2/team-a/app/manifests/v1",
        basic(new Credentials("alice", "wrong-secret")));
    String audit = AuditRecords.await(dir.resolve("audit.jsonl"), "\"outcome\":\"rejected\"");
    assertTrue(audit.contains("\"event\":\"authorization\""), audit);
    assertTrue(audit.contains("\"subject\":\"alice\""), audit);
    assertTrue(
        audit.matches(
            "(?s).*\"action\":\"push\",\"repository\":\"team-a/app\",\"outcome\":\"denied\".*"),
        audit);
    assertTrue(
        audit.matches(
            "(?s).*\"action\":\"pull\",\"repository\":\"team-a/app\",\"outcome\":\"allowed\".*"),
        audit);
    assertTrue(
        audit.matches(
            "(?s).*\"subject\":\"bob\",\"identityKind\":\"user\",\"action\":\"login\","
                + "\"repository\":null,\"outcome\":\"allowed\".*"),
        "the /v2/ check is a decision too: " + audit);
    assertFalse(audit.contains("alice-pw"));
    assertFalse(audit.contains("wrong-secret"));
    assertFalse(audit.contains("eyJ"), "no token in the audit log");
  }

  /**
   * The id a client sends in {@code X-Request-Id}, or the one the gateway makes up, is in the
   * access audit records of that request and in the upstream request made for it.
   */
  @Test
  void requestIdsAreAuditedAndForwardedUpstream() throws Exception {
    HttpResponse<String> token =
        Http.get(
            gateway.url() + "/token?scope=repository:traced/team-a/app:pull",
            concat(basic(ALICE), "X-Request-Id", "tok-123"));
    assertEquals(200, token.statusCode(), token.body());
    HttpResponse<String> pull =
        Http.get(
            gateway.url() + "/v2/traced/team-a/app/manifests/v1",
            concat(basic(ALICE), "X-Request-Id", "abc-123"));
    assertEquals(200, pull.statusCode(), pull.body());
    assertEquals("abc-123", pull.headers().firstValue("X-Request-Id").orElse(null));
    HttpResponse<String> unnamed =
        Http.get(gateway.url() + "/v2/traced/team-a/app/tags/list", basic(ALICE));
    assertEquals(200, unnamed.statusCode(), unnamed.body());
    String made = unnamed.headers().firstValue("X-Request-Id").orElseThrow();

    AuditRecords.await(dir.resolve("audit.jsonl"), "\"requestId\":\"" + made + "\"");
    List<JsonNode> records = AuditRecords.parse(Files.readString(dir.resolve("audit.jsonl")));
    assertTrue(
        AuditRecords.any(
            records,
            "requestId",
            "abc-123",
            "event",
            "authentication",
            "subject",
            "alice",
            "outcome",
            "authenticated"),
        "the Basic check of abc-123 is audited with its id: " + records);
    assertTrue(
        AuditRecords.any(
            records,
            "requestId",
            "abc-123",
            "event",
            "authorization",
            "action",
            "pull",
            "repository",
            "traced/team-a/app",
            "outcome",
            "allowed"),
        "the pull decision of abc-123 is audited with its id: " + records);
    assertTrue(
        AuditRecords.any(
            records,
            "requestId",
            "tok-123",
            "repository",
            "traced/team-a/app",
            "outcome",
            "granted"),
        "the token grant is audited with its id: " + records);
    assertTrue(
        AuditRecords.any(records, "requestId", made, "outcome", "allowed"),
        "a made-up id is audited too: " + records);

    List<FaultyUpstream.Received> upstream = traced.received();
    assertTrue(
        upstream.stream()
            .anyMatch(
                r ->
                    r.path().equals("/v2/team-a/app/manifests/v1")
                        && "abc-123".equals(r.headers().get("X-Request-Id"))),
        "the upstream sees abc-123");
    assertTrue(
        upstream.stream()
            .anyMatch(
                r ->
                    r.path().equals("/v2/team-a/app/tags/list")
                        && made.equals(r.headers().get("X-Request-Id"))),
        "the upstream sees the id the gateway made up");
  }

  @Test
  void theKeyFileIsPrivateHasAKidAndSurvivesARestart() throws Exception {
    Path key = dir.resolve("data/token-key.pem");
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(key));
    String token = token("?scope=repository:team-a/app:pull", ALICE).get("token").asText();
    JsonNode header =
        JSON.readTree(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
    assertEquals("ES256", header.get("alg").asText());
    assertTrue(header.get("kid").asText().length() >= 40, header.toString());

    // A second gateway on the same dataDir uses the same key: the first one's token works there.
    try (GatewayFixture second = startGateway()) {
      HttpResponse<String> r =
          Http.get(
              second.url() + "/v2/team-a/app/manifests/v1", "Authorization", "Bearer " + token);
      assertEquals(200, r.statusCode(), r.body());
    }
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(key));
  }

  // ---- helpers ----

  private static JsonNode token(String query, Credentials creds) throws Exception {
    HttpResponse<String> r =
        Http.get(gateway.url() + "/token" + query, creds == null ? new String[0] : basic(creds));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> form(String body) throws Exception {
    return Http.send(
        "POST",
        gateway.url() + "/token",
        body.getBytes(StandardCharsets.UTF_8),
        "Content-Type",
        "application/x-www-form-urlencoded");
  }

  private static JsonNode claims(String jwt) throws Exception {
    return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }

  private static String[] basic(Credentials c) {
    return new String[] {"Authorization", "Basic " + c.basicToken()};
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static String gw(String repoAndTag) {
    return "docker://" + gateway.hostPort() + "/" + repoAndTag;
  }
}
