package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.testing.ReferrersApiUpstream;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import io.portcullis.testkit.sigstore.BundleReferrers;
import io.portcullis.testkit.sigstore.PrivateSigstore;
import io.portcullis.testkit.sigstore.SigningIdentity;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sigstore bundles found through an upstream's OCI 1.1 referrers API. {@link SigstoreIT} runs
 * against Debian's docker-registry, which has no referrers API, so it exercises only the {@code
 * sha256-<hex>} tag fallback; here the upstream ({@link ReferrersApiUpstream}) answers the
 * referrers API and hides the tag, so a bundle is found only if the gateway asks the API.
 */
class SigstoreReferrersApiIT {
  private static final SigningIdentity GOOD =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");
  private static final SigningIdentity OTHER =
      SigningIdentity.githubWorkflow("evil/app", ".github/workflows/release.yml", "refs/tags/v1");
  private static final String BUILDER = "https://github.com/actions/runner/github-hosted";

  @TempDir static Path dir;
  static RegistryProcess registry;
  static ReferrersApiUpstream upstream;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static BundleReferrers referrers;
  static PrivateSigstore sigstore;
  static int seed = 9100;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    upstream = ReferrersApiUpstream.start(registry);
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    referrers = new BundleReferrers(registry.url(), registry.credentials());
    sigstore = PrivateSigstore.builder().build();
    Files.write(dir.resolve("trusted_root.json"), sigstore.trustedRootJson());
    String identities =
        "[{issuer: "
            + SigningIdentity.GITHUB_ISSUER
            + ", subjectRegExp: '^https://github\\.com/myorg/'}]";
    Files.writeString(
        dir.resolve("policy.yaml"),
        "version: 1\n"
            + "trustStores:\n"
            + "  private: {type: sigstore, trustedRoot: trusted_root.json}\n"
            + "policies:\n"
            + "  - name: keyless\n"
            + "    scopes: ['keyless/**']\n"
            + "    signatures: {anyOf: [{type: cosign, trustStore: private, identities: "
            + identities
            + "}]}\n"
            + "  - name: attested\n"
            + "    scopes: ['attested/**']\n"
            + "    attestations: [{type: slsaprovenance, trustStore: private, builderId: '"
            + BUILDER
            + "', identities: "
            + identities
            + "}]\n");
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("api", upstream.url(), "", false)
            .extra("policy: {file: " + dir.resolve("policy.yaml") + "}\n")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, upstream, registry);
  }

  @Test
  void keylessBundleListedOnlyByTheReferrersApiPasses() throws Exception {
    Digest image = push("keyless/good:v1");
    referrers.attach(
        "keyless/good", image, sigstore.bundles().imageSignature("keyless/good", image, GOOD));
    // without the referrers API the gateway would find no bundle: 403 "no cosign signature found"
    HttpResponse<String> served = manifest("keyless/good", "v1");
    assertEquals(200, served.statusCode(), served.body());
    assertTrue(
        upstream.referrersServed().contains("/v2/keyless/good/referrers/" + image),
        upstream.referrersServed()::toString);
    CommandResult pulled =
        skopeo.copy(
            "docker://" + gateway.hostPort() + "/keyless/good:v1",
            "dir:" + dir.resolve("pull-good"));
    assertTrue(pulled.ok(), pulled.stderr());
  }

  @Test
  void aBundleOfAnotherIdentityFoundThroughTheApiIsDeniedNamingIt() throws Exception {
    Digest image = push("keyless/other:v1");
    referrers.attach(
        "keyless/other", image, sigstore.bundles().imageSignature("keyless/other", image, OTHER));
    HttpResponse<String> denied = manifest("keyless/other", "v1");
    assertEquals(403, denied.statusCode(), denied.body());
    assertEquals("DENIED", Http.errorCode(denied));
    assertTrue(denied.body().contains("does not match subjectRegExp"), denied.body());
  }

  @Test
  void githubAttestationListedByTheApiSatisfiesTheAttestationsRule() throws Exception {
    Digest image = push("attested/app:v1");
    referrers.attach(
        "attested/app", image, sigstore.bundles().provenance("attested/app", image, BUILDER, GOOD));
    HttpResponse<String> served = manifest("attested/app", "v1");
    assertEquals(200, served.statusCode(), served.body());
    assertTrue(
        upstream.referrersServed().contains("/v2/attested/app/referrers/" + image),
        upstream.referrersServed()::toString);
  }

  @Test
  void anAttestationBundleIsNotAnImageSignature() throws Exception {
    Digest image = push("keyless/provenance-only:v1");
    referrers.attach(
        "keyless/provenance-only",
        image,
        sigstore.bundles().provenance("keyless/provenance-only", image, BUILDER, GOOD));
    HttpResponse<String> denied = manifest("keyless/provenance-only", "v1");
    assertEquals(403, denied.statusCode(), denied.body());
    assertEquals("DENIED", Http.errorCode(denied));
  }

  @Test
  void aMalformedBundleIsNoEvidenceAndA403NotA500() throws Exception {
    Digest image = push("keyless/malformed:v1");
    byte[] good = sigstore.bundles().imageSignature("keyless/malformed", image, GOOD);
    // valid JSON (so the referrer is written as cosign would), but no verification material
    String broken =
        new String(good, StandardCharsets.UTF_8)
            .replaceFirst("\"verificationMaterial\"", "\"verificationMaterialX\"");
    referrers.attach("keyless/malformed", image, broken.getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> denied = manifest("keyless/malformed", "v1");
    assertEquals(403, denied.statusCode(), denied.body());
    assertEquals("DENIED", Http.errorCode(denied));
    assertTrue(denied.body().contains("verificationMaterial is missing"), denied.body());
  }

  @Test
  void aReferrerWhoseBundleBytesLieIsNoEvidenceAndTheGoodBundleStillDecides() throws Exception {
    Digest image = push("keyless/lying:v1");
    byte[] other = sigstore.bundles().imageSignature("keyless/lying", image, OTHER);
    // its layer is declared shorter than the bytes the upstream serves: the fetch is refused
    referrers.attach("keyless/lying", image, other, other.length - 16);
    referrers.attach(
        "keyless/lying", image, sigstore.bundles().imageSignature("keyless/lying", image, GOOD));
    // one broken referrer used to fail the whole collection: 503 on every pull of the image
    HttpResponse<String> served = manifest("keyless/lying", "v1");
    assertEquals(200, served.statusCode(), served.body());
  }

  private static Digest push(String repoTag) {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 4096).seed(seed++).build());
    images.push(image, registry.ref(repoTag));
    return Digest.parse(image.digest());
  }

  private static HttpResponse<String> manifest(String repo, String tag) throws Exception {
    return gateway.manifest(repo, tag);
  }
}
