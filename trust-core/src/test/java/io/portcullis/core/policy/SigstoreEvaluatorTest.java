package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.testing.InteropFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator over Sigstore bundle evidence: keyless bundles (the public-good fixtures of {@code
 * shared/interop/sigstore}, signed by known identities) against a {@code sigstore} store with
 * identities, key-based bundles against a cosign key store, GitHub-style provenance against a
 * keyless {@code attestations} rule; approvals name the signer and the log index, denials what
 * failed and what would pass.
 */
class SigstoreEvaluatorTest {
  private static final String BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
  private static final Digest REFERRER = Digest.sha256(new byte[] {1});

  @TempDir Path dir;
  private PolicyFiles files;
  private KeyPair release;

  @BeforeEach
  void setUp() {
    files = new PolicyFiles(dir);
    release = files.key("keys/release.pub");
    files.key("keys/other.pub");
  }

  private static String publicGoodRoot() {
    return InteropFixtures.path("sigstore/trustroot/public-good-trusted_root-2026-08.json")
        .toString();
  }

  private static byte[] fixture(String name) {
    return InteropFixtures.bytes("sigstore/bundles/" + name);
  }

  private PolicyDecision decide(String requirement, Digest image, byte[]... bundles) {
    return decideUnder(publicGoodRoot(), requirement, image, bundles);
  }

  /** {@link #decide} with the store {@code public-good} reading the trusted root {@code root}. */
  private PolicyDecision decideUnder(
      String root, String requirement, Digest image, byte[]... bundles) {
    TrustPolicy trust =
        files.parse(
            "version: 1\ntrustStores:\n"
                + "  public-good: {type: sigstore, trustedRoot: '"
                + root
                + "'}\n"
                + "  release-keys: {type: cosign, keys: [keys/release.pub]}\n"
                + "  other-keys: {type: cosign, keys: [keys/other.pub]}\n"
                + "policies:\n  - name: upstream\n    scopes: ['**']\n    signatures:\n"
                + "      anyOf:\n        - "
                + requirement
                + "\n");
    List<SigstoreBundleEvidence> evidence =
        java.util.Arrays.stream(bundles)
            .map(b -> new SigstoreBundleEvidence(REFERRER, BUNDLE, Optional.empty(), b))
            .toList();
    Policy policy = trust.policies().get(0);
    return new PolicyEvaluator(trust, Clock.systemUTC())
        .evaluate(
            policy,
            new Evidence(
                "docker.io/x", image, List.of(), List.of(), List.of(), List.of(), evidence));
  }

  /** The fixtures sign {@code artifact.txt}; as an "image" its digest is what they are about. */
  private static Digest artifact() {
    return Digest.sha256(InteropFixtures.bytes("sigstore/bundles/artifact.txt"));
  }

  private static final String APPU =
      "{type: cosign, trustStore: public-good, identities: [{issuer: https://accounts.google.com,"
          + " subject: appu@google.com}]}";

  @Test
  void keylessBundleOfTheRightIdentityPassesNamingSignerAndLogIndex() {
    PolicyDecision decision = decide(APPU, artifact(), fixture("bundle.v3.sigstore"));
    assertTrue(decision.allowed(), decision.message());
    String signer = String.join(" ", decision.signers());
    assertTrue(signer.contains("appu@google.com (issuer https://accounts.google.com)"), signer);
    assertTrue(signer.matches(".*log index \\d+ .*"), signer);
    // and as fields, for the audit record
    SignedBy by = decision.signedBy().get(0);
    assertEquals(Optional.of("https://accounts.google.com"), by.issuer());
    assertEquals(Optional.of("appu@google.com"), by.subject());
    assertTrue(
        by.logIndex().isPresent() && signer.contains("log index " + by.logIndex().getAsLong()));
    assertEquals(Optional.empty(), by.keyId());
  }

  @Test
  void keylessBundleOfAnotherIdentityIsDeniedSayingWhatWouldPass() {
    PolicyDecision decision =
        decide(
            "{type: cosign, trustStore: public-good, identities: [{issuer:"
                + " https://accounts.google.com, subjectRegExp: '.*@example\\.com'}]}",
            artifact(),
            fixture("bundle.v3.sigstore"));
    assertFalse(decision.allowed());
    assertTrue(decision.message().contains("appu@google.com"), decision.message());
    assertTrue(decision.message().contains("subjectRegExp"), decision.message());
    assertTrue(
        decision.message().contains("a keyless signature logged under 'public-good' by"),
        decision.message());
  }

  /**
   * {@code tlog: optional} is for a deployment with a timestamp authority and no Rekor: a keyless
   * bundle without a log entry then passes on its verified RFC 3161 time, and is still refused
   * under the default (required) or without any verified time.
   */
  @Test
  void keylessTlogOptionalAcceptsATimestampInsteadOfALogEntry() throws Exception {
    String root =
        InteropFixtures.path("sigstore/trustroot/staging_trusted_root_with_one_tsa.json")
            .toString();
    com.fasterxml.jackson.databind.node.ObjectNode json =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(fixture("bundle-with-timestamp.sigstore"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("verificationMaterial"))
        .remove("tlogEntries");
    byte[] unlogged = json.toString().getBytes(StandardCharsets.UTF_8);
    String aaron =
        "{type: cosign, trustStore: public-good, TLOG identities: [{issuer:"
            + " https://accounts.google.com, subject: aaronlew@google.com}]}";

    PolicyDecision optional =
        decideUnder(root, aaron.replace("TLOG", "tlog: optional,"), artifact(), unlogged);
    assertTrue(optional.allowed(), optional.message());

    PolicyDecision required = decideUnder(root, aaron.replace("TLOG", ""), artifact(), unlogged);
    assertFalse(required.allowed(), "keyless defaults to tlog: required");
    assertTrue(required.message().contains("transparency log"), required.message());

    json.with("verificationMaterial").remove("timestampVerificationData");
    byte[] untimed = json.toString().getBytes(StandardCharsets.UTF_8);
    PolicyDecision noTime =
        decideUnder(root, aaron.replace("TLOG", "tlog: optional,"), artifact(), untimed);
    assertFalse(noTime.allowed(), "without a log entry or a timestamp nothing gives the time");
    assertTrue(noTime.message().contains("no verified signing time"), noTime.message());
  }

  @Test
  void keylessBundleOverAnotherDigestIsDenied() {
    PolicyDecision decision =
        decide(
            APPU,
            Digest.sha256("another".getBytes(StandardCharsets.UTF_8)),
            fixture("bundle.v3.sigstore"));
    assertFalse(decision.allowed(), decision.message());
  }

  @Test
  void aSha512ImageIsDeniedNotAnError() {
    Digest image = Digest.of("sha512", "manifest".getBytes(StandardCharsets.UTF_8));
    PolicyDecision decision = decide(APPU, image, fixture("bundle.v3.sigstore"));
    assertFalse(decision.allowed());
    assertTrue(decision.message().contains("sha256 images only"), decision.message());
  }

  @Test
  void tamperedKeylessBundleIsDenied() {
    PolicyDecision decision =
        decide(APPU, artifact(), fixture("bundle-with-wrong-tlog-entry.sigstore"));
    assertFalse(decision.allowed(), decision.message());
    assertTrue(decision.message().contains("bundle sha256:"), decision.message());
  }

  @Test
  void noBundleAtAllSaysSo() {
    PolicyDecision decision = decide(APPU, artifact());
    assertFalse(decision.allowed());
    assertTrue(decision.message().contains("no keyless signature found"), decision.message());
  }

  @Test
  void keyBasedBundlesCountForACosignKeyStore() throws Exception {
    byte[] content = "manifest bytes".getBytes(StandardCharsets.UTF_8);
    Digest image = Digest.sha256(content);
    byte[] bundle = keyBundle(content, release);
    PolicyDecision keys = decide("{type: cosign, trustStore: release-keys}", image, bundle);
    assertTrue(keys.allowed(), keys.message());
    assertTrue(
        String.join(" ", keys.signers()).contains("sigstore bundle"), keys.signers()::toString);
    assertFalse(
        decide("{type: cosign, trustStore: other-keys}", image, bundle).allowed(),
        "another store's key does not verify it");
    PolicyDecision logged =
        decide("{type: cosign, trustStore: release-keys, tlog: required}", image, bundle);
    assertFalse(logged.allowed(), "tlog: required refuses a bundle without a log entry");
    assertFalse(
        decide(APPU, image, bundle).allowed(), "a key-based bundle is not a keyless signature");
  }

  @Test
  void tlogRequiredRefusesALegacyKeySignatureWithoutARekorBundle() {
    Digest image = Digest.sha256("legacy".getBytes(StandardCharsets.UTF_8));
    CosignSignatures sig =
        PolicyEvaluatorTest.cosignSignatures(PolicyEvaluatorTest.cosignLayer(release, image));
    assertTrue(decideLegacy("{type: cosign, trustStore: release-keys}", image, sig).allowed());
    PolicyDecision logged =
        decideLegacy("{type: cosign, trustStore: release-keys, tlog: required}", image, sig);
    assertFalse(logged.allowed(), "no dev.sigstore.cosign/bundle: not logged");
    assertTrue(logged.message().contains("transparency log"), logged.message());
  }

  private PolicyDecision decideLegacy(String requirement, Digest image, CosignSignatures sig) {
    TrustPolicy trust =
        files.parse(
            "version: 1\ntrustStores:\n  release-keys: {type: cosign, keys: [keys/release.pub]}\n"
                + "policies:\n  - name: p\n    scopes: ['**']\n    signatures:\n"
                + "      anyOf:\n        - "
                + requirement
                + "\n");
    return new PolicyEvaluator(trust, Clock.systemUTC())
        .evaluate(trust.policies().get(0), new Evidence("x", image, List.of(sig), List.of()));
  }

  @Test
  void keylessProvenanceSatisfiesAnAttestationRule() {
    byte[] bundle = fixture("bundle.dsse.sigstore");
    DsseEnvelope envelope = SigstoreBundle.parse(bundle).dsseEnvelope().orElseThrow();
    InTotoStatement statement = InTotoStatement.parse(envelope.payload());
    Digest image = Digest.parse("sha256:" + statement.subjects().get(0).digest().get("sha256"));
    String builder =
        "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";
    String identity =
        "identities: [{issuer: https://token.actions.githubusercontent.com, subjectRegExp:"
            + " '^https://github\\.com/loosebazooka/aa-test/'}]";
    PolicyDecision passed = attest(image, bundle, identity, builder);
    assertTrue(passed.allowed(), passed.message());
    String signers = String.join(" ", passed.signers());
    assertTrue(
        signers.contains("(issuer https://token.actions.githubusercontent.com) log index "),
        "the audit names the attestation's signer and log index: " + signers);
    assertTrue(
        attest(image, bundle, identity, "https://evil.example/builder")
            .message()
            .contains("provenance builder"));
    String wrong =
        "identities: [{issuer: https://token.actions.githubusercontent.com, subjectRegExp:"
            + " '^https://github\\.com/myorg/'}]";
    PolicyDecision other = attest(image, bundle, wrong, builder);
    assertFalse(other.allowed());
    assertTrue(other.message().contains("no keyless slsaprovenance"), other.message());
  }

  /** The decision of a policy whose one rule is keyless provenance by {@code builder}. */
  private PolicyDecision attest(Digest image, byte[] bundle, String identities, String builder) {
    TrustPolicy trust =
        files.parse(
            "version: 1\ntrustStores:\n"
                + "  public-good: {type: sigstore, trustedRoot: '"
                + publicGoodRoot()
                + "'}\n"
                + "policies:\n  - name: p\n    scopes: ['**']\n    attestations:\n"
                + "      - {type: slsaprovenance, trustStore: public-good, builderId: '"
                + builder
                + "', "
                + identities
                + "}\n");
    Evidence evidence =
        new Evidence(
            "x",
            image,
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(
                new SigstoreBundleEvidence(
                    REFERRER, BUNDLE, Optional.of("https://slsa.dev/provenance/v1"), bundle)));
    return new PolicyEvaluator(trust, Clock.systemUTC())
        .evaluate(trust.policies().get(0), evidence);
  }

  /** A v0.3 key-based bundle: a message signature over {@code content} by {@code key}. */
  static byte[] keyBundle(byte[] content, KeyPair key) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key.getPrivate());
    s.update(content);
    Base64.Encoder b64 = Base64.getEncoder();
    String json =
        "{\"mediaType\":\""
            + BUNDLE
            + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"k\"}},"
            + "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\""
            + b64.encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(content))
            + "\"},\"signature\":\""
            + b64.encodeToString(s.sign())
            + "\"}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
