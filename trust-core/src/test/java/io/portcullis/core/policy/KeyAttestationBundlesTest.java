package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.dsse.PredicateTypes;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.sigstore.BundleWriter;
import io.portcullis.core.sigstore.SigstoreBundle;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code attestations} rule with a cosign key store accepts what {@code cosign attest --key} v3
 * and {@code portcullis-signer attest --format sigstore-bundle} write, a key-based DSSE bundle
 * stored as a referrer, as well as the legacy {@code .att} layers: {@code verify --key
 * --attestation-type} accepted it while the gateway's vetting rule did not.
 */
class KeyAttestationBundlesTest {
  private static final String BUILDER = "https://github.com/actions/runner/github-hosted";
  private static final Digest IMAGE =
      Digest.sha256("image manifest".getBytes(StandardCharsets.UTF_8));

  @TempDir java.nio.file.Path dir;
  private PolicyFiles files;
  private KeyPair release;

  @BeforeEach
  void setUp() {
    files = new PolicyFiles(dir);
    release = files.key("keys/release.pub");
    files.key("keys/other.pub");
  }

  @Test
  void aKeyBasedProvenanceBundleSatisfiesAKeyStoreRule() {
    byte[] bundle = provenanceBundle(IMAGE, BUILDER, release);
    PolicyDecision decision = decide("release-keys", BUILDER, bundle);
    assertTrue(decision.allowed(), decision.message());
    SignedBy by = decision.signedBy().get(0);
    assertTrue(by.keyId().isPresent(), by::toString);
    assertTrue(by.description().startsWith("cosign key "), by::toString);
  }

  @Test
  void anotherKeyAnotherBuilderOrAnotherImageIsDenied() {
    byte[] bundle = provenanceBundle(IMAGE, BUILDER, release);
    PolicyDecision otherKey = decide("other-keys", BUILDER, bundle);
    assertFalse(otherKey.allowed());
    assertTrue(otherKey.message().contains("no key-based slsaprovenance"), otherKey.message());
    PolicyDecision otherBuilder = decide("release-keys", "https://evil.example/builder", bundle);
    assertFalse(otherBuilder.allowed());
    assertTrue(otherBuilder.message().contains("provenance builder"), otherBuilder.message());
    Digest elsewhere = Digest.sha256("another image".getBytes(StandardCharsets.UTF_8));
    PolicyDecision otherImage =
        decide("release-keys", BUILDER, provenanceBundle(elsewhere, BUILDER, release));
    assertFalse(otherImage.allowed(), otherImage.message());
  }

  @Test
  void withoutAnyBundleTheLegacyReasonStands() {
    PolicyDecision none = decide("release-keys", BUILDER);
    assertFalse(none.allowed());
    assertFalse(none.message().contains("bundles:"), none.message());
    assertEquals(1, none.failures().size(), none.checks().toString());
  }

  private PolicyDecision decide(String store, String builder, byte[]... bundles) {
    TrustPolicy trust =
        files.parse(
            "version: 1\ntrustStores:\n"
                + "  release-keys: {type: cosign, keys: [keys/release.pub]}\n"
                + "  other-keys: {type: cosign, keys: [keys/other.pub]}\n"
                + "policies:\n  - name: p\n    scopes: ['**']\n    attestations:\n"
                + "      - {type: slsaprovenance, trustStore: "
                + store
                + ", builderId: '"
                + builder
                + "'}\n");
    Policy policy = trust.policies().get(0);
    assertTrue(policy.needsBundles(), "a key attestation rule reads bundle referrers");
    List<SigstoreBundleEvidence> evidence =
        java.util.Arrays.stream(bundles)
            .map(
                b ->
                    new SigstoreBundleEvidence(
                        Digest.sha256(b),
                        SigstoreBundle.MEDIA_TYPE_V03,
                        Optional.of(PredicateTypes.SLSA_PROVENANCE_V1),
                        b))
            .toList();
    return new PolicyEvaluator(trust, Clock.systemUTC())
        .evaluate(
            policy, new Evidence("x", IMAGE, List.of(), List.of(), List.of(), List.of(), evidence));
  }

  /** A v0.3 key-based bundle of SLSA v1 provenance about {@code image} by {@code builder}. */
  private static byte[] provenanceBundle(Digest image, String builder, KeyPair key) {
    InTotoStatement statement =
        InTotoStatement.about(
            "registry.test/app",
            image,
            PredicateTypes.SLSA_PROVENANCE_V1,
            StrictJson.readTree(
                ("{\"runDetails\":{\"builder\":{\"id\":\"" + builder + "\"}}}")
                    .getBytes(StandardCharsets.UTF_8)));
    DsseEnvelope envelope =
        DsseEnvelope.sign(
            DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
            statement.toJson(),
            Signers.forPrivateKey(key.getPrivate()),
            "");
    return BundleWriter.write(
        new SigstoreBundle(
            SigstoreBundle.MEDIA_TYPE_V03,
            List.of(),
            Optional.of("hint"),
            List.of(),
            List.of(),
            Optional.empty(),
            Optional.of(envelope)));
  }
}
