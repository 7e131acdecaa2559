package io.portcullis.testkit.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.sigstore.Artifact;
import io.portcullis.core.sigstore.BundleOutcome;
import io.portcullis.core.sigstore.BundleVerifier;
import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.sigstore.VerificationRequirements;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The private instance's bundles against trust-core's {@link BundleVerifier}: every good bundle
 * verifies, and every fault bundle is refused for its own reason.
 */
class PrivateSigstoreVerificationTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final PrivateSigstore SIGSTORE =
      PrivateSigstore.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
  private static final BundleVerifier VERIFIER =
      new BundleVerifier(TrustedRoot.parse(SIGSTORE.trustedRootJson()));
  private static final SigningIdentity GITHUB =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");
  private static final VerificationRequirements EXPECTED =
      VerificationRequirements.keyless(
          List.of(
              new CertificateIdentity(
                  SigningIdentity.GITHUB_ISSUER, null, GITHUB.san(), null, Map.of())));
  private static final Digest IMAGE = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
  private static final byte[] BLOB = "artifact\n".getBytes(StandardCharsets.UTF_8);

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(Fault.WRONG_SAN, "certificate identity", "certificate identity"),
        Arguments.of(Fault.WRONG_ISSUER, "certificate issuer", "certificate issuer"),
        Arguments.of(Fault.NO_TLOG_ENTRY, "no transparency log entry", "no transparency log entry"),
        Arguments.of(Fault.SET_OVER_OTHER_BODY, "SET was not valid", "SET was not valid"),
        Arguments.of(
            Fault.LEAF_EXPIRED_AT_LOG_TIME,
            "signing certificate was not valid at the verified signing time",
            "signing certificate was not valid at the verified signing time"),
        Arguments.of(
            Fault.CA_NOT_VALID_AT_LOG_TIME,
            "certificate authority https://retired-fulcio.private.test was not valid",
            "certificate authority https://retired-fulcio.private.test was not valid"),
        Arguments.of(Fault.SCT_WRONG_KEY, "SCT signature", "SCT signature"),
        Arguments.of(Fault.SCT_TAMPERED, "SCT signature", "SCT signature"),
        Arguments.of(Fault.NO_SCT, "no embedded SCT", "no embedded SCT"),
        Arguments.of(
            Fault.TAMPERED_SIGNATURE,
            "DSSE signature does not verify",
            "message signature does not verify"),
        Arguments.of(
            Fault.TAMPERED_PAYLOAD, "DSSE signature does not verify", "bundle messageDigest"),
        Arguments.of(
            Fault.OTHER_DIGEST, "do not include the artifact", "is not the artifact's SHA-256"));
  }

  @Test
  void goodBundlesVerify() {
    BundleWriter w = SIGSTORE.bundles();
    for (byte[] bundle :
        List.of(
            w.imageSignature("team/app", IMAGE, GITHUB),
            w.provenance("team/app", IMAGE, "https://github.com/actions/runner", GITHUB))) {
      BundleOutcome o = verify(bundle, Artifact.ofDigest(IMAGE), EXPECTED);
      assertTrue(o.verified(), o.failure());
      assertEquals(NOW, o.signedAt().orElseThrow());
    }
    BundleOutcome message =
        verify(w.messageSignature(BLOB, GITHUB), Artifact.ofContent(BLOB), EXPECTED);
    assertTrue(message.verified(), message.failure());
  }

  @Test
  void ciExtensionsOfTheLeafAreMatchedByTheirCosignNames() {
    byte[] bundle = SIGSTORE.bundles().imageSignature("team/app", IMAGE, GITHUB);
    Map<String, String> right =
        Map.of(
            "sourceRepositoryUri", "https://github.com/myorg/app",
            "sourceRepositoryRef", "refs/tags/v1",
            "buildTrigger", "push",
            "githubWorkflowRepository", "myorg/app");
    BundleOutcome ok = verify(bundle, Artifact.ofDigest(IMAGE), withExtensions(right));
    assertTrue(ok.verified(), ok.failure());
    BundleOutcome wrong =
        verify(
            bundle,
            Artifact.ofDigest(IMAGE),
            withExtensions(Map.of("sourceRepositoryRef", "refs/heads/main")));
    assertFalse(wrong.verified());
    assertTrue(wrong.failure().contains("sourceRepositoryRef"), wrong.failure());
  }

  @Test
  void aTimestampAuthorityGivesASecondVerifiedTime() {
    PrivateSigstore withTsa =
        PrivateSigstore.builder()
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .timestampAuthority(true)
            .build();
    BundleVerifier verifier = new BundleVerifier(TrustedRoot.parse(withTsa.trustedRootJson()));
    SigstoreBundle bundle =
        SigstoreBundle.parse(withTsa.bundles().imageSignature("team/app", IMAGE, GITHUB));
    assertEquals(1, bundle.rfc3161Timestamps().size());
    BundleOutcome o = verifier.verify(bundle, Artifact.ofDigest(IMAGE), EXPECTED);
    assertTrue(o.verified(), o.failure());
    // the same bundle is refused by a root that does not list this TSA
    assertFalse(VERIFIER.verify(bundle, Artifact.ofDigest(IMAGE), EXPECTED).verified());
  }

  @Test
  void aP256CaVerifiesAndAWindowThatEndedBeforeTheSigningTimeDoesNot() {
    PrivateSigstore p256 =
        PrivateSigstore.builder()
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .caCurve(EcKeys.Curve.P256)
            .build();
    BundleOutcome ok =
        new BundleVerifier(TrustedRoot.parse(p256.trustedRootJson()))
            .verify(
                SigstoreBundle.parse(p256.bundles().imageSignature("team/app", IMAGE, GITHUB)),
                Artifact.ofDigest(IMAGE),
                EXPECTED);
    assertTrue(ok.verified(), ok.failure());
    // the current CA's own window (caValidFor), not only the retired CA's, is honoured
    PrivateSigstore ended =
        PrivateSigstore.builder()
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .caValidFor(NOW.minusSeconds(86400), NOW.minusSeconds(60))
            .build();
    BundleOutcome refused =
        new BundleVerifier(TrustedRoot.parse(ended.trustedRootJson()))
            .verify(
                SigstoreBundle.parse(ended.bundles().imageSignature("team/app", IMAGE, GITHUB)),
                Artifact.ofDigest(IMAGE),
                EXPECTED);
    assertFalse(refused.verified());
    assertTrue(
        refused.failure().contains("certificate authority " + PrivateSigstore.FULCIO_URI),
        refused.failure());
  }

  @Test
  void theCheckpointIsVerifiedSoABadCheckpointSignatureIsRefused() {
    byte[] good = SIGSTORE.bundles().imageSignature("team/app", IMAGE, GITHUB);
    ObjectNode bundle = (ObjectNode) StrictJson.readTree(good);
    ObjectNode checkpoint =
        (ObjectNode) bundle.at("/verificationMaterial/tlogEntries/0/inclusionProof/checkpoint");
    String envelope = checkpoint.get("envelope").asText();
    // the same note with one bit of the log's signature flipped (after the 4-byte key hint)
    int space = envelope.lastIndexOf(' ');
    byte[] sig = Base64.getDecoder().decode(envelope.substring(space + 1).strip());
    sig[10] ^= 1;
    checkpoint.put(
        "envelope",
        envelope.substring(0, space + 1) + Base64.getEncoder().encodeToString(sig) + "\n");
    BundleOutcome o = verify(StrictJson.write(bundle), Artifact.ofDigest(IMAGE), EXPECTED);
    assertFalse(o.verified(), "a forged checkpoint verified");
    assertTrue(o.failure().contains("checkpoint"), o.failure());
  }

  private static VerificationRequirements withExtensions(Map<String, String> extensions) {
    return VerificationRequirements.keyless(
        List.of(
            new CertificateIdentity(
                SigningIdentity.GITHUB_ISSUER, null, GITHUB.san(), null, extensions)));
  }

  @Test
  void keyBasedBundlesVerifyWithAndWithoutTheLog() {
    KeyPair key = EcKeys.generate(EcKeys.Curve.P256);
    VerificationRequirements keys = VerificationRequirements.keys(List.of(key.getPublic()), false);
    BundleOutcome unlogged =
        verify(
            SIGSTORE.bundles().keyImageSignature("team/app", IMAGE, key, false),
            Artifact.ofDigest(IMAGE),
            keys);
    assertTrue(unlogged.verified(), unlogged.failure());
    BundleOutcome logged =
        verify(
            SIGSTORE.bundles().keyMessageSignature(BLOB, key, true),
            Artifact.ofContent(BLOB),
            VerificationRequirements.keys(List.of(key.getPublic()), true));
    assertTrue(logged.verified(), logged.failure());
    BundleOutcome required =
        verify(
            SIGSTORE.bundles().keyImageSignature("team/app", IMAGE, key, false),
            Artifact.ofDigest(IMAGE),
            VerificationRequirements.keys(List.of(key.getPublic()), true));
    assertFalse(required.verified(), "tlog required but absent");
  }

  @ParameterizedTest
  @MethodSource("faults")
  void eachFaultIsRefusedForItsReason(Fault fault, String dsseReason, String messageReason) {
    BundleOutcome dsse =
        verify(
            SIGSTORE.bundles().imageSignature("team/app", IMAGE, GITHUB, fault),
            Artifact.ofDigest(IMAGE),
            EXPECTED);
    assertFalse(dsse.verified(), fault + " (DSSE) verified");
    assertTrue(dsse.failure().contains(dsseReason), fault + ": " + dsse.failure());
    BundleOutcome message =
        verify(
            SIGSTORE.bundles().messageSignature(BLOB, GITHUB, fault),
            Artifact.ofContent(BLOB),
            EXPECTED);
    assertFalse(message.verified(), fault + " (message) verified");
    assertTrue(message.failure().contains(messageReason), fault + ": " + message.failure());
  }

  private static BundleOutcome verify(
      byte[] bundle, Artifact artifact, VerificationRequirements r) {
    return VERIFIER.verify(SigstoreBundle.parse(bundle), artifact, r);
  }
}
