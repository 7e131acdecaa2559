package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verification works from the cache while the upstream is down: an image signed with cosign and
 * with notation (the cosign {@code .sig} tag, the referrers lookup and its tag fallback, signature
 * payloads and envelopes) is pulled once; the upstream is stopped and the policy changed, so the
 * gateway has to decide again, and it does so from what it cached. The tag TTL is 0 here, so every
 * lookup tries the upstream first and falls back on the cache (stale-if-error).
 */
class CacheEnforcedIT {
  private static final String POLICY =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [release.pub]}
        release-ca: {type: x509, certificates: [pki/root.crt]}
      policies:
        - name: two-party%s
          scopes: ["prod/**"]
          mode: enforce
          signatures:
            allOf:
              - {type: cosign, trustStore: release-keys}
              - {type: notation, trustStore: release-ca, identities: ["*"]}
        - name: unsigned-probe
          scopes: ["probe/**"]
          mode: %s
          signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
      """;

  @Test
  void aSignedImageIsVerifiedAgainFromTheCacheWhileTheUpstreamIsDown(@TempDir Path dir)
      throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    makeReleaseKeys(dir);
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY.formatted("", "off"));
    try (RegistryProcess registry = RegistryProcess.start();
        GatewayFixture gateway =
            GatewayFixture.builder(dir.resolve("data"))
                .upstream("internal", registry.url(), "", false)
                .extra("policy: {file: " + policy + ", reloadInterval: 100ms}\n")
                .start();
        Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      OciLayout image = images.build(ImageSpec.builder().layers(1, 64 * 1024).seed(301).build());
      images.push(image, registry.ref("prod/app:v1"));
      images.push(
          images.build(ImageSpec.builder().layers(1, 1024).seed(302).build()),
          registry.ref("probe/unsigned:v1"));
      signWithCosignAndNotation(dir, registry, "prod/app:v1");
      String viaGateway = "docker://" + gateway.hostPort() + "/prod/app:v1";
      skopeo.copy(viaGateway, "dir:" + dir.resolve("warm")).orThrow();

      // A new policy revision: the decision made above no longer counts. The probe repository
      // (unsigned) turns from proxied to denied once the gateway has loaded it.
      Files.writeString(policy, POLICY.formatted("-v2", "enforce"));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (Http.get(gateway.url() + "/v2/probe/unsigned/manifests/v1").statusCode() != 403) {
        assertTrue(System.nanoTime() < deadline, "the changed policy is loaded");
        Thread.sleep(50);
      }

      registry.down();
      try {
        Path out = dir.resolve("offline");
        skopeo.copy(viaGateway, "dir:" + out).orThrow();
        assertEquals(image.digest(), DirImage.read(out).manifestDigest());
      } finally {
        registry.up();
      }
    }
  }

  /**
   * A cosign key pair ({@code release.key}, its password in {@code pw}) and the development PKI
   * ({@code pki/}) in {@code dir}.
   */
  static void makeReleaseKeys(Path dir) throws IOException {
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release");
    Signer.devPki(dir);
  }

  /** Signs {@code repoTag} in {@code registry} with cosign and with notation, by the keys above. */
  static void signWithCosignAndNotation(Path dir, RegistryProcess registry, String repoTag) {
    Signer.sign(dir, "release", registry, repoTag);
    Signer.notationSign(dir, registry, repoTag);
  }
}
