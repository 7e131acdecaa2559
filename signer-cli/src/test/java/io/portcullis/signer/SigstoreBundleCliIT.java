package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.RemoteRepository;
import io.portcullis.core.sigstore.SigstoreBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sign}/{@code attest --format sigstore-bundle} and {@code verify} of cosign v3 bundles
 * against a real docker-registry, which has no referrers API: the bundles are found through the
 * {@code sha256-<hex>} referrers tag the CLI maintains.
 */
class SigstoreBundleCliIT {
  static CliHarness h;
  @TempDir static Path keys;

  @BeforeAll
  static void start() throws Exception {
    h = CliHarness.start(keys);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  void aV3KeySignatureIsAReferrerInTheTagFallbackAndVerifiesWithItsKeyOnly() {
    String image = h.image("bundle/app");
    Digest digest = h.digestOf(image);
    CliRun sign = h.cli("sign", "--format", "sigstore-bundle", "--key", h.key("a.key"), image);
    assertEquals(0, sign.exitCode(), sign.toString());
    assertTrue(sign.out().contains("(sigstore bundle v0.3, DSSE)"), sign.toString());
    assertTrue(sign.out().contains("listed in tag " + digest.referrersTag()), sign.toString());
    assertTrue(sign.out().contains("not logged in a transparency log"), sign.toString());

    // the layout cosign v3 writes, found the way cosign finds it on a registry without the API
    RemoteRepository repo = RemoteRepository.of(h.host, "bundle/app");
    ImageIndex index =
        ManifestCodec.readIndex(
            h.client.getManifest(repo, Reference.of(Tag.of(digest.referrersTag()))).bytes());
    assertEquals(1, index.manifests().size(), index.toString());
    Descriptor listed = index.manifests().get(0);
    assertEquals(SigstoreBundle.MEDIA_TYPE_V03, listed.artifactType());
    assertEquals(
        SigstoreBundleSigner.SIGN_PREDICATE_TYPE,
        listed.annotations().get(SigstoreBundleStore.PREDICATE_TYPE));
    assertEquals("dsse-envelope", listed.annotations().get(SigstoreBundleStore.CONTENT));
    ImageManifest referrer =
        h.client.getManifest(repo, Reference.of(listed.parsedDigest())).asManifest();
    assertEquals(SigstoreBundle.MEDIA_TYPE_V03, referrer.artifactType());
    assertEquals(MediaTypes.OCI_EMPTY, referrer.config().mediaType());
    assertEquals(digest.toString(), referrer.subject().digest());
    assertEquals(1, referrer.layers().size());
    Descriptor layer = referrer.layers().get(0);
    assertEquals(SigstoreBundle.MEDIA_TYPE_V03, layer.mediaType());
    SigstoreBundle bundle =
        SigstoreBundle.parse(h.client.fetchBlob(repo, layer.parsedDigest(), layer.size()));
    assertTrue(bundle.keyBased() && bundle.tlogEntries().isEmpty(), bundle.toString());
    InTotoStatement statement =
        InTotoStatement.parse(bundle.dsseEnvelope().orElseThrow().payload());
    assertEquals(SigstoreBundleSigner.SIGN_PREDICATE_TYPE, statement.predicateType());
    assertTrue(statement.hasSubject(digest), statement.toString());

    CliRun verify = h.cli("verify", "--key", h.key("a.pub"), image);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertTrue(
        verify.out().contains("PASS referrer " + listed.digest() + " (sigstore bundle v0.3)"),
        verify.toString());
    assertTrue(verify.out().contains("VERIFIED: 1 of 1"), verify.toString());

    CliRun wrongKey = h.cli("verify", "--key", h.key("b.pub"), image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, wrongKey.exitCode(), wrongKey.toString());
    assertTrue(
        wrongKey.out().contains("FAIL referrer " + listed.digest() + " (sigstore bundle v0.3)"),
        wrongKey.toString());
  }

  @Test
  void legacyAndBundleSignaturesAreReportedSideBySide() {
    String image = h.image("bundle/both");
    assertEquals(0, h.cli("sign", "--key", h.key("a.key"), image).exitCode());
    assertEquals(
        0, h.cli("sign", "--format", "sigstore-bundle", "--key", h.key("b.key"), image).exitCode());
    CliRun withA = h.cli("verify", "--key", h.key("a.pub"), image);
    assertEquals(0, withA.exitCode(), withA.toString());
    assertTrue(withA.out().contains("PASS #1 layer sha256:"), withA.toString());
    assertTrue(withA.out().contains("(legacy .sig)"), withA.toString());
    assertTrue(withA.out().contains("FAIL referrer sha256:"), withA.toString());
    CliRun withB = h.cli("verify", "--key", h.key("b.pub"), image);
    assertEquals(0, withB.exitCode(), withB.toString());
    assertTrue(withB.out().contains("VERIFIED: 1 of 2"), withB.toString());
  }

  @Test
  void aBundleAttestationCountsForItsTypeAndNotAsASignature() throws Exception {
    String image = h.image("bundle/attested");
    Path predicate = Files.writeString(keys.resolve("provenance.json"), "{\"buildDefinition\":{}}");
    CliRun attest =
        h.cli(
            "attest",
            "--format",
            "sigstore-bundle",
            "--key",
            h.key("a.key"),
            "--type",
            "slsaprovenance1",
            "--predicate",
            predicate.toString(),
            image);
    assertEquals(0, attest.exitCode(), attest.toString());
    assertTrue(attest.out().contains("https://slsa.dev/provenance/v1"), attest.toString());

    CliRun ok =
        h.cli("verify", "--key", h.key("a.pub"), "--attestation-type", "slsaprovenance1", image);
    assertEquals(0, ok.exitCode(), ok.toString());
    assertTrue(ok.out().contains("https://slsa.dev/provenance/v1"), ok.toString());
    CliRun otherKey =
        h.cli("verify", "--key", h.key("b.pub"), "--attestation-type", "slsaprovenance1", image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, otherKey.exitCode(), otherKey.toString());
    CliRun asSignature = h.cli("verify", "--key", h.key("a.pub"), image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, asSignature.exitCode(), asSignature.toString());
    assertTrue(
        asSignature.out().contains("bundle(s) of other predicate types"), asSignature.toString());
  }

  @Test
  void recursiveSignsEveryPlatformWithABundle() {
    OneLayerImages.MultiPlatform multi =
        OneLayerImages.pushIndex(h.client, h.host, "bundle/multi", "v1");
    CliRun sign =
        h.cli(
            "sign",
            "--format",
            "sigstore-bundle",
            "--recursive",
            "--key",
            h.key("a.key"),
            multi.index());
    assertEquals(0, sign.exitCode(), sign.toString());
    for (String platform : multi.children()) {
      CliRun verify = h.cli("verify", "--key", h.key("a.pub"), platform);
      assertEquals(0, verify.exitCode(), verify.toString());
      assertTrue(verify.out().contains("(sigstore bundle v0.3)"), verify.toString());
    }
    assertEquals(0, h.cli("verify", "--key", h.key("a.pub"), multi.index()).exitCode());
  }

  @Test
  void recursiveAttestsEveryPlatformWithABundle() throws Exception {
    OneLayerImages.MultiPlatform multi =
        OneLayerImages.pushIndex(h.client, h.host, "bundle/multi-attested", "v1");
    Path predicate = Files.writeString(keys.resolve("multi-provenance.json"), "{}");
    CliRun attest =
        h.cli(
            "attest",
            "--format",
            "sigstore-bundle",
            "--recursive",
            "--key",
            h.key("a.key"),
            "--type",
            "slsaprovenance1",
            "--predicate",
            predicate.toString(),
            multi.index());
    assertEquals(0, attest.exitCode(), attest.toString());
    for (String platform : multi.children()) {
      CliRun verify =
          h.cli(
              "verify", "--key", h.key("a.pub"), "--attestation-type", "slsaprovenance1", platform);
      assertEquals(0, verify.exitCode(), verify.toString());
    }
  }

  @Test
  void keylessVerifyNeedsAnIdentityAndAnIssuer() {
    CliRun run =
        h.cli("verify", "--certificate-identity", "x@example.com", h.host + "/bundle/none:v1");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.err().contains("--certificate-oidc-issuer"), run.toString());
    CliRun both =
        h.cli(
            "verify",
            "--key",
            h.key("a.pub"),
            "--certificate-identity",
            "x",
            "--certificate-oidc-issuer",
            "y",
            h.host + "/bundle/none:v1");
    assertEquals(ExitCodes.USAGE, both.exitCode(), both.toString());
  }
}
