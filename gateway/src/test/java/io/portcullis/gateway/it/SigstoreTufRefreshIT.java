package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import io.portcullis.testkit.sigstore.BundleReferrers;
import io.portcullis.testkit.sigstore.PrivateSigstore;
import io.portcullis.testkit.sigstore.SigningIdentity;
import io.portcullis.testkit.sigstore.TufMirror;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code sigstore} store refreshed through TUF from a mirror ({@code tuf: {url, root}}), in the
 * gateway: it starts from the shipped public-good snapshot (the private instance's keyless images
 * are refused), the refresh soon after start fetches the mirror's {@code trusted_root.json} (they
 * pass, the new root re-deciding the image), and after a restart with the mirror down the root
 * cached under {@code dataDir} is used at once.
 */
class SigstoreTufRefreshIT {
  private static final SigningIdentity GOOD =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");

  @TempDir static Path dir;
  static RegistryProcess registry;
  static Skopeo skopeo;
  static TestImages images;
  static PrivateSigstore sigstore;
  static TufMirror mirror;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    sigstore = PrivateSigstore.builder().build();
    mirror = TufMirror.start(sigstore.trustedRootJson());
    Files.write(dir.resolve("tuf-root.json"), mirror.root());
    Files.writeString(
        dir.resolve("policy.yaml"),
        "version: 1\n"
            + "trustStores:\n"
            + "  mirrored: {type: sigstore, tuf: {url: '"
            + mirror.url()
            + "', root: tuf-root.json}}\n"
            + "policies:\n"
            + "  - name: keyless\n"
            + "    scopes: ['**']\n"
            + "    signatures: {anyOf: [{type: cosign, trustStore: mirrored, identities: [{issuer: "
            + SigningIdentity.GITHUB_ISSUER
            + ", subjectRegExp: '^https://github\\.com/myorg/'}]}]}\n");
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, mirror, registry);
  }

  @Test
  void theMirrorsRootIsFetchedUsedAndKeptForWhenTheNetworkIsDown() throws Exception {
    OciLayout layout = images.build(ImageSpec.builder().layers(1, 4096).seed(9700).build());
    images.push(layout, registry.ref("team/app:v1"));
    Digest image = Digest.parse(layout.digest());
    new BundleReferrers(registry.url(), registry.credentials())
        .attach("team/app", image, sigstore.bundles().imageSignature("team/app", image, GOOD));

    Path data = dir.resolve("data");
    try (GatewayFixture gateway = gateway(data)) {
      HttpResponse<String> served = awaitServed(gateway);
      assertEquals(200, served.statusCode(), served.body());
    }
    try (var cached = Files.walk(data.resolve("sigstore-tuf"))) {
      assertTrue(
          cached.anyMatch(p -> p.getFileName().toString().endsWith("trusted_root.json")),
          "the refreshed root is cached under dataDir");
    }

    mirror.down();
    try (GatewayFixture gateway = gateway(data)) {
      HttpResponse<String> first = manifest(gateway);
      assertEquals(200, first.statusCode(), "the cached root, at once: " + first.body());
    }
  }

  /**
   * The image as the gateway decides it, asked again until the refresh soon after start has
   * installed the mirror's root (a refusal under the shipped root is cached for seconds only).
   */
  private static HttpResponse<String> awaitServed(GatewayFixture gateway) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    HttpResponse<String> r = manifest(gateway);
    while (r.statusCode() != 200 && Instant.now().isBefore(deadline)) {
      assertEquals(403, r.statusCode(), r.body());
      Thread.onSpinWait();
      r = manifest(gateway);
    }
    return r;
  }

  private static GatewayFixture gateway(Path data) throws Exception {
    return GatewayFixture.builder(data)
        .upstream("internal", registry.url(), "", false)
        .extra("policy: {file: " + dir.resolve("policy.yaml") + "}\n")
        .start();
  }

  private static HttpResponse<String> manifest(GatewayFixture gateway) throws Exception {
    return gateway.manifest("team/app", "v1");
  }
}
