package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import io.portcullis.testkit.TokenServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DCT at the gateway against a Notary server behind a token service (Debian's notary-server with
 * {@code "auth": {"type": "token"}}, testkit's {@link TokenServer}): the trust store's {@code
 * credentialsFile} gets a token and a signed tag pulls; wrong or no credentials are a 503 that says
 * the Notary server could not be asked (never a denial that blames the image), and the password
 * appears in no answer, log line or audit record.
 */
class DctTokenNotaryIT {
  private static final String USER = "dct-reader";
  private static final String PASSWORD = "reader-pw-7f3a";
  private static final String WRONG = "wrong-pw-c41e";

  @TempDir static Path dir;
  static RegistryProcess registry;
  static TokenServer tokens;
  static NotaryProcess notary;
  static Skopeo skopeo;
  static TestImages images;
  static DctRepositories repos;
  static GatewayProcess gateway;
  static Path auditLog;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("notary", "notary-server");
    registry = RegistryProcess.start();
    tokens = new TokenServer(USER, PASSWORD);
    notary = NotaryProcess.startWithTokenAuth(tokens);
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    repos =
        new DctRepositories(
            registry, () -> notary.client().authenticated(USER, PASSWORD), images, 950);
    Path good = Files.writeString(dir.resolve("good.creds"), USER + ":" + PASSWORD + "\n");
    Path bad = Files.writeString(dir.resolve("bad.creds"), USER + ":" + WRONG + "\n");
    String server =
        "server: '" + notary.url() + "', caFile: '" + notary.caCertificate().toAbsolutePath() + "'";
    Path policy =
        Files.writeString(
            dir.resolve("policy.yaml"),
            """
            version: 1
            trustStores:
              dct-token: {type: notary-v1, %1$s, credentialsFile: '%2$s'}
              dct-wrong: {type: notary-v1, %1$s, credentialsFile: '%3$s'}
              dct-anonymous: {type: notary-v1, %1$s}
            policies:
              - {name: token, scopes: ["token/**"], signatures: {anyOf: [{type: dct, trustStore: dct-token}]}}
              - {name: wrong, scopes: ["wrong/**"], signatures: {anyOf: [{type: dct, trustStore: dct-wrong}]}}
              - {name: anonymous, scopes: ["anonymous/**"], signatures: {anyOf: [{type: dct, trustStore: dct-anonymous}]}}
              - {name: default, scopes: ["**"], mode: off}
            """
                .formatted(server, good, bad));
    auditLog = dir.resolve("audit.jsonl");
    gateway =
        GatewayProcess.inFrontOfWith(
            dir,
            registry.url(),
            "policy: {file: %s}\naudit: {file: %s}\n".formatted(policy, auditLog));
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, images, skopeo, notary, tokens, registry);
  }

  @Test
  void theCredentialsFileGetsATokenAndASignedTagPulls() throws Exception {
    OciLayout image = repos.push("token/app:v1");
    repos.signNew("token/app", "v1", image);
    int before = tokens.requests.size();

    HttpResponse<String> r = manifest("token/app", "v1");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(image.digest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());
    List<String> asked = tokens.requests.subList(before, tokens.requests.size());
    assertTrue(
        asked.contains("auth repository:" + repos.gun("token/app") + ":pull"), asked.toString());
    assertNoSecrets();
  }

  @Test
  void wrongOrNoCredentialsAre503NotADenial() throws Exception {
    for (String repo : List.of("wrong/app", "anonymous/app")) {
      OciLayout image = repos.push(repo + ":v1");
      repos.signNew(repo, "v1", image);

      HttpResponse<String> r = manifest(repo, "v1");
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("UNAVAILABLE", Http.errorCode(r), r.body());
      assertTrue(r.body().contains("could not be asked about " + repos.gun(repo)), r.body());
      assertTrue(r.body().contains("token service"), r.body());
      HttpResponse<String> byDigest = manifest(repo, image.digest());
      assertEquals(503, byDigest.statusCode(), byDigest.body());
      assertFalse(r.body().contains(WRONG) || byDigest.body().contains(WRONG), r.body());
    }
    assertTrue(
        manifest("wrong/app", "v1").body().contains("answered HTTP 401 to the credentials for"));
    assertTrue(manifest("anonymous/app", "v1").body().contains("credentials are needed"));
    assertNoSecrets();
  }

  /** Neither password, nor the Basic header made of either, in the gateway's log or audit. */
  private static void assertNoSecrets() throws Exception {
    String log = gateway.log();
    String audit = Files.exists(auditLog) ? Files.readString(auditLog) : "";
    for (String secret : List.of(PASSWORD, WRONG)) {
      String basic =
          Base64.getEncoder()
              .encodeToString((USER + ":" + secret).getBytes(StandardCharsets.UTF_8));
      for (String text : List.of(secret, basic)) {
        assertFalse(log.contains(text), "the gateway log holds a secret");
        assertFalse(audit.contains(text), "the audit log holds a secret");
      }
    }
  }

  private static HttpResponse<String> manifest(String repo, String reference) throws Exception {
    return Http.manifest(gateway.url(), repo, reference);
  }
}
