package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import io.portcullis.testkit.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway authenticates to its upstreams with credentials from files: HTTP Basic against an
 * htpasswd-protected registry, and the registry token protocol against a registry in {@code auth:
 * token} mode, with a token service that signs real JWTs. Clients of the gateway bring none.
 */
class UpstreamAuthIT {
  @TempDir static Path dir;
  static RegistryProcess basic;
  static TokenServer tokens;
  static RegistryProcess tokenRegistry;
  static GatewayFixture gateway;
  static Skopeo anonymous;
  static TestImages images;
  static OciLayout image;

  @BeforeAll
  static void start() throws Exception {
    basic = RegistryProcess.builder().basicAuth("alice", "basic-pw").start();
    tokens = new TokenServer("ci", "token-pw");
    tokenRegistry =
        RegistryProcess.builder()
            .tokenAuth(
                new RegistryProcess.TokenAuth(
                    tokens.realm(),
                    TokenServer.SERVICE,
                    TokenServer.ISSUER,
                    tokens.writeRootBundle(dir)))
            .start();

    Path basicCreds = Files.writeString(dir.resolve("basic-creds"), "alice:basic-pw\n");
    Path tokenCreds = Files.writeString(dir.resolve("token-creds"), "ci:token-pw\n");
    Path wrongCreds = Files.writeString(dir.resolve("wrong-creds"), "ci:not-the-password\n");
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("basic", basic.url(), "basic", false, basicCreds)
            .upstream("nocreds", basic.url(), "nocreds", false)
            .upstream("token", tokenRegistry.url(), "token", true, tokenCreds)
            .upstream("badtoken", tokenRegistry.url(), "badtoken", false, wrongCreds)
            .start();

    anonymous = Skopeo.create();
    images = new TestImages(anonymous);
    image = images.build(ImageSpec.builder().layers(3, 128 * 1024).seed(21).build());
    try (Skopeo alice =
        Skopeo.builder().login(basic.hostPort(), new Credentials("alice", "basic-pw")).build()) {
      alice.copy(image.ref(), basic.ref("team/app:v1"), "--preserve-digests").orThrow();
    }
    try (Skopeo ci =
        Skopeo.builder()
            .login(tokenRegistry.hostPort(), new Credentials("ci", "token-pw"))
            .build()) {
      ci.copy(image.ref(), tokenRegistry.ref("team/app:v1"), "--preserve-digests").orThrow();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, anonymous, gateway, basic, tokenRegistry, tokens);
  }

  @Test
  void basicCredentialsFromFileReachAProtectedUpstream() {
    Path out = dir.resolve("basic-pull");
    anonymous.copy(gw("basic/team/app:v1"), "dir:" + out).orThrow();
    assertEquals(image.digest(), DirImage.read(out).manifestDigest());
  }

  @Test
  void withoutCredentialsTheUpstreamRefusalIsADeniedError() throws Exception {
    CommandResult r = anonymous.inspect(gw("nocreds/team/app:v1"));
    assertFalse(r.ok());
    var raw = Http.get(gateway.url() + "/v2/nocreds/team/app/manifests/v1");
    assertEquals(403, raw.statusCode());
    assertEquals("DENIED", Http.errorCode(raw));
    assertTrue(raw.body().contains("upstream 'nocreds' refused access"), raw.body());
    assertTrue(
        raw.headers().firstValue("WWW-Authenticate").isEmpty(),
        "the upstream challenge is not the client's");
  }

  @Test
  void tokenProtocolWithScopedCachedTokens() {
    Path out = dir.resolve("token-pull");
    int before = tokens.requests.size();
    anonymous.copy(gw("token/team/app:v1"), "dir:" + out).orThrow();
    assertEquals(image.digest(), DirImage.read(out).manifestDigest());
    var asked = tokens.requests.subList(before, tokens.requests.size());
    assertTrue(asked.contains("auth repository:team/app:pull"), asked.toString());
    // One manifest and four blobs, but the pull scope's token is fetched once and reused.
    assertEquals(
        1,
        asked.stream().filter(a -> a.equals("auth repository:team/app:pull")).count(),
        asked.toString());
  }

  @Test
  void pushThroughTheGatewayGetsAPushScopedToken() {
    OciLayout other = images.build(ImageSpec.builder().layers(1, 32 * 1024).seed(22).build());
    images.push(other, gw("token/team/pushed:v1"));
    assertTrue(
        tokens.requests.stream()
            .anyMatch(a -> a.startsWith("auth repository:team/pushed:pull,push")),
        tokens.requests.toString());
    try (Skopeo ci =
        Skopeo.builder()
            .login(tokenRegistry.hostPort(), new Credentials("ci", "token-pw"))
            .build()) {
      String digest =
          ci.inspect(tokenRegistry.ref("team/pushed:v1")).orThrow().json().get("Digest").asText();
      assertEquals(other.digest(), digest);
    }
  }

  @Test
  void wrongCredentialsAreReportedWithoutLeakingThem() throws Exception {
    var raw = Http.get(gateway.url() + "/v2/badtoken/team/app/manifests/v1");
    assertEquals(403, raw.statusCode());
    assertEquals("DENIED", Http.errorCode(raw));
    assertTrue(raw.body().contains("token service refused the gateway"), raw.body());
    assertFalse(raw.body().contains("not-the-password"));
  }

  private static String gw(String repoAndTag) {
    return "docker://" + gateway.hostPort() + "/" + repoAndTag;
  }
}
