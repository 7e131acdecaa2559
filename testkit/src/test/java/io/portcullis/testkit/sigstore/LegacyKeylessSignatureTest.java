package io.portcullis.testkit.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.cosign.RekorBundle;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LegacyKeylessSignatureTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final PrivateSigstore SIGSTORE =
      PrivateSigstore.builder()
          .clock(Clock.fixed(NOW, ZoneOffset.UTC))
          .timestampAuthority(true)
          .build();
  private static final SigningIdentity GITHUB =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");
  private static final Digest IMAGE = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));

  @Test
  void layerCarriesCertificateChainAndARekorBundleForThisSignature() throws Exception {
    AttachmentLayer layer =
        SIGSTORE.bundles().legacyImageSignature("registry.test/team/app", IMAGE, GITHUB);
    Map<String, String> a = layer.descriptor().annotations();
    assertEquals(SimpleSigningPayload.MEDIA_TYPE, layer.descriptor().mediaType());
    SimpleSigningPayload payload = SimpleSigningPayload.parse(layer.content());
    assertEquals(IMAGE, payload.manifestDigest());
    X509Certificate leaf = CertificatePem.parseAll(a.get(CosignAnnotations.CERTIFICATE)).get(0);
    assertEquals(SIGSTORE.ca().chain(), CertificatePem.parseAll(a.get(CosignAnnotations.CHAIN)));
    byte[] sig = Base64.getDecoder().decode(a.get(CosignAnnotations.SIGNATURE));
    assertTrue(RekorLogTest.verifies(leaf.getPublicKey(), layer.content(), sig));
    RekorBundle bundle = RekorBundle.parse(a.get(CosignAnnotations.BUNDLE));
    assertEquals(
        Optional.empty(), bundle.verifySignedEntryTimestamp(List.of(SIGSTORE.rekor().publicKey())));
    assertEquals(Optional.empty(), bundle.matches(layer.content(), sig, leaf.getPublicKey(), leaf));
    assertEquals(NOW, bundle.integratedAt());
    assertTrue(a.get(BundleWriter.RFC3161_TIMESTAMP).contains("SignedRFC3161Timestamp"));
  }

  @Test
  void faultsReachTheLegacyLayerToo() throws Exception {
    BundleWriter w = SIGSTORE.bundles();
    Map<String, String> none =
        w.legacyImageSignature("r/app", IMAGE, GITHUB, Fault.NO_TLOG_ENTRY)
            .descriptor()
            .annotations();
    assertFalse(none.containsKey(CosignAnnotations.BUNDLE));
    AttachmentLayer otherSet =
        w.legacyImageSignature("r/app", IMAGE, GITHUB, Fault.SET_OVER_OTHER_BODY);
    assertTrue(
        RekorBundle.parse(otherSet.descriptor().annotations().get(CosignAnnotations.BUNDLE))
            .verifySignedEntryTimestamp(List.of(SIGSTORE.rekor().publicKey()))
            .isPresent());
    AttachmentLayer other = w.legacyImageSignature("r/app", IMAGE, GITHUB, Fault.OTHER_DIGEST);
    assertFalse(IMAGE.equals(SimpleSigningPayload.parse(other.content()).manifestDigest()));
  }
}
