package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.testkit.ConsoleRun;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis-signer sign --format sigstore-bundle} against a registry that has the referrers
 * API: a gateway (which answers pushes of a manifest with a subject with {@code OCI-Subject}), in
 * front of docker-registry. The bundle is listed by the referrers API, verifies with its key only
 * through that registry, and satisfies a second, enforcing gateway over the same registry. {@code
 * SigstoreBundleCliIT} covers the registry without the API.
 */
class SigstoreSignThroughGatewayIT {
  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture pushing;
  static GatewayFixture enforcing;
  static Skopeo skopeo;
  static TestImages images;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    Files.writeString(dir.resolve("pw"), "release\n");
    Signer.keygen(dir, "release", "other");
    pushing =
        GatewayFixture.builder(dir.resolve("pushing"))
            .upstream("internal", registry.url(), "", true)
            .start();
    Files.writeString(
        dir.resolve("policy.yaml"),
        "version: 1\n"
            + "trustStores:\n"
            + "  release-keys: {type: cosign, keys: [release.pub]}\n"
            + "policies:\n"
            + "  - {name: keyed, scopes: ['**'], signatures: {anyOf: [{type: cosign, trustStore:"
            + " release-keys}]}}\n");
    enforcing =
        GatewayFixture.builder(dir.resolve("enforcing"))
            .upstream("internal", registry.url(), "", false)
            .extra("policy: {file: " + dir.resolve("policy.yaml") + "}\n")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, enforcing, pushing, registry);
  }

  @Test
  void aBundleSignedThroughTheReferrersApiIsListedAndSatisfiesAnEnforcingGateway()
      throws Exception {
    Digest image = push("team/app:v1", 9500);
    String signed =
        Signer.cli(
            "sign",
            "--format",
            "sigstore-bundle",
            "--key",
            dir.resolve("release.key").toString(),
            "--password-file",
            dir.resolve("pw").toString(),
            "--insecure-registry",
            pushing.hostPort(),
            pushing.hostPort() + "/team/app:v1");
    assertTrue(signed.contains("bundle referrer"), signed);
    // the registry acknowledged the subject, so the CLI reports no tag fallback (the gateway keeps
    // the upstream's referrers tag itself, so a CLI that wrote it anyway would find it done)
    assertFalse(signed.contains("no referrers API"), signed);

    HttpResponse<String> listed =
        Http.get(pushing.url() + "/v2/team/app/referrers/" + image, "Accept", MediaTypes.OCI_INDEX);
    assertEquals(200, listed.statusCode(), listed.body());
    ImageIndex index = ManifestCodec.readIndex(listed.body().getBytes(StandardCharsets.UTF_8));
    assertEquals(1, index.manifests().size(), listed.body());
    Descriptor referrer = index.manifests().get(0);
    assertEquals(SigstoreBundle.MEDIA_TYPE_V03, referrer.artifactType());

    String verified =
        Signer.cli(
            "verify",
            "--key",
            dir.resolve("release.pub").toString(),
            "--insecure-registry",
            pushing.hostPort(),
            pushing.hostPort() + "/team/app:v1");
    assertTrue(verified.contains("PASS") && verified.contains("sigstore bundle"), verified);
    ConsoleRun otherKey =
        Signer.run(
            "verify",
            "--key",
            dir.resolve("other.pub").toString(),
            "--insecure-registry",
            pushing.hostPort(),
            pushing.hostPort() + "/team/app:v1");
    assertEquals(1, otherKey.exitCode(), otherKey.toString());

    assertEquals(200, manifest(enforcing, "team/app").statusCode());
    push("team/unsigned:v1", 9501);
    HttpResponse<String> denied = manifest(enforcing, "team/unsigned");
    assertEquals(403, denied.statusCode(), denied.body());
  }

  private static Digest push(String repoTag, int seed) {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 4096).seed(seed).build());
    images.push(image, registry.ref(repoTag));
    return Digest.parse(image.digest());
  }

  private static HttpResponse<String> manifest(GatewayFixture gateway, String repo)
      throws Exception {
    return gateway.manifest(repo, "v1");
  }
}
