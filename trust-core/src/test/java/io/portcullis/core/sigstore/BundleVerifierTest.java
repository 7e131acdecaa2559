package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.keys.Signer;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Key-based bundles built here with generated keys (no log entry: they pass unless a log entry is
 * required), content checks, bounds, and the keyless checks that come before the log.
 */
class BundleVerifierTest {
  private static final byte[] CONTENT = "hello sigstore\n".getBytes(StandardCharsets.UTF_8);
  private static final Artifact ARTIFACT = Artifact.ofContent(CONTENT);
  private static final Digest DIGEST = Digest.sha256(CONTENT);
  private static final KeyPair KEY = FulcioTestPki.ecKey();
  private static final Signer SIGNER = Signers.forPrivateKey(KEY.getPrivate());
  private static final BundleVerifier VERIFIER =
      new BundleVerifier(new FulcioTestPki().trustedRoot(FulcioTestPki.EPOCH, null));

  private static BundleOutcome verify(SigstoreBundle bundle, Artifact artifact, boolean tlog) {
    return VERIFIER.verify(
        bundle, artifact, VerificationRequirements.keys(List.of(KEY.getPublic()), tlog));
  }

  private static byte[] sha256(byte[] b) throws GeneralSecurityException {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  private static void assertFails(BundleOutcome outcome, String fragment) {
    assertFalse(outcome.verified(), "expected a failure containing: " + fragment);
    assertTrue(outcome.failure().contains(fragment), outcome.failure());
  }

  @Test
  void keyMessageSignatureWithoutLogPasses() throws Exception {
    SigstoreBundle bundle =
        TestBundles.messageSignature(TestBundles.keyHint(), SIGNER.sign(CONTENT), sha256(CONTENT));
    BundleOutcome outcome = verify(bundle, ARTIFACT, false);
    assertTrue(outcome.verified(), outcome.failure());
    assertEquals(
        BundleVerifier.keyId(KEY.getPublic()),
        outcome.signer().orElseThrow().keyId().orElseThrow());
    assertTrue(outcome.logIndex().isEmpty());
  }

  @Test
  void keyMessageSignatureWithoutLogFailsWhenLogRequired() throws Exception {
    SigstoreBundle bundle =
        TestBundles.messageSignature(TestBundles.keyHint(), SIGNER.sign(CONTENT), sha256(CONTENT));
    assertFails(verify(bundle, ARTIFACT, true), "no transparency log entry");
  }

  @Test
  void wrongKeyFails() throws Exception {
    SigstoreBundle bundle =
        TestBundles.messageSignature(
            TestBundles.keyHint(),
            Signers.forPrivateKey(FulcioTestPki.ecKey().getPrivate()).sign(CONTENT),
            sha256(CONTENT));
    assertFails(verify(bundle, ARTIFACT, false), "message signature does not verify");
  }

  @Test
  void noTrustedKeyFails() throws Exception {
    SigstoreBundle bundle =
        TestBundles.messageSignature(TestBundles.keyHint(), SIGNER.sign(CONTENT), null);
    assertFails(
        VERIFIER.verify(bundle, ARTIFACT, VerificationRequirements.keys(List.of(), false)),
        "no key is trusted");
  }

  @Test
  void statedDigestMustBeTheArtifacts() throws Exception {
    SigstoreBundle bundle =
        TestBundles.messageSignature(
            TestBundles.keyHint(),
            SIGNER.sign(CONTENT),
            sha256("other".getBytes(StandardCharsets.UTF_8)));
    assertFails(verify(bundle, ARTIFACT, false), "is not the artifact's SHA-256");
  }

  @Test
  void signatureOverAnotherArtifactFails() throws Exception {
    SigstoreBundle bundle =
        TestBundles.messageSignature(TestBundles.keyHint(), SIGNER.sign(CONTENT), null);
    assertFails(
        verify(bundle, Artifact.ofContent("other".getBytes(StandardCharsets.UTF_8)), false),
        "message signature does not verify");
  }

  @Test
  void messageSignatureVerifiesOverTheDigestAlone() {
    SigstoreBundle bundle =
        TestBundles.messageSignature(TestBundles.keyHint(), SIGNER.sign(CONTENT), null);
    BundleOutcome outcome = verify(bundle, Artifact.ofDigest(DIGEST), false);
    assertTrue(outcome.verified(), outcome.failure());
  }

  @Test
  void rsaAndEd25519Keys() throws Exception {
    for (String alg : List.of("RSA", "Ed25519")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
      if (alg.equals("RSA")) {
        g.initialize(2048);
      }
      KeyPair kp = g.generateKeyPair();
      SigstoreBundle bundle =
          TestBundles.messageSignature(
              TestBundles.keyHint(), Signers.forPrivateKey(kp.getPrivate()).sign(CONTENT), null);
      VerificationRequirements req = VerificationRequirements.keys(List.of(kp.getPublic()), false);
      BundleOutcome outcome = VERIFIER.verify(bundle, ARTIFACT, req);
      assertTrue(outcome.verified(), alg + ": " + outcome.failure());
      BundleOutcome digestOnly = VERIFIER.verify(bundle, Artifact.ofDigest(DIGEST), req);
      assertEquals(alg.equals("RSA"), digestOnly.verified(), alg + ": " + digestOnly.failure());
    }
  }

  @Test
  void secondTrustedKeyCounts() throws Exception {
    SigstoreBundle bundle =
        TestBundles.messageSignature(TestBundles.keyHint(), SIGNER.sign(CONTENT), null);
    BundleOutcome outcome =
        VERIFIER.verify(
            bundle,
            ARTIFACT,
            VerificationRequirements.keys(
                List.of(FulcioTestPki.ecKey().getPublic(), KEY.getPublic()), false));
    assertTrue(outcome.verified(), outcome.failure());
  }

  @Test
  void dsseImageSignaturePasses() {
    SigstoreBundle bundle =
        TestBundles.dsse(
            TestBundles.keyHint(),
            TestBundles.statement(DIGEST, DsseEnvelope.IN_TOTO_PAYLOAD_TYPE, SIGNER));
    BundleOutcome outcome = verify(bundle, Artifact.ofDigest(DIGEST), false);
    assertTrue(outcome.verified(), outcome.failure());
    assertEquals(Optional.of("https://sigstore.dev/cosign/sign/v1"), outcome.predicateType());
    assertTrue(outcome.dssePayload().isPresent());
  }

  @Test
  void dsseAboutAnotherDigestFails() {
    SigstoreBundle bundle =
        TestBundles.dsse(
            TestBundles.keyHint(),
            TestBundles.statement(
                Digest.sha256("other".getBytes(StandardCharsets.UTF_8)),
                DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
                SIGNER));
    assertFails(verify(bundle, Artifact.ofDigest(DIGEST), false), "do not include the artifact");
  }

  @Test
  void dsseOfAnotherPayloadTypeFails() {
    SigstoreBundle bundle =
        TestBundles.dsse(
            TestBundles.keyHint(), TestBundles.statement(DIGEST, "text/plain", SIGNER));
    assertFails(
        verify(bundle, Artifact.ofDigest(DIGEST), false), "DSSE payloadType is 'text/plain'");
  }

  @Test
  void dsseByAnotherKeyFails() {
    SigstoreBundle bundle =
        TestBundles.dsse(
            TestBundles.keyHint(),
            TestBundles.statement(
                DIGEST,
                DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
                Signers.forPrivateKey(FulcioTestPki.ecKey().getPrivate())));
    assertFails(verify(bundle, Artifact.ofDigest(DIGEST), false), "DSSE signature does not verify");
  }

  @Test
  void tooManyLogEntriesAreRefusedBeforeAnyWork() throws Exception {
    SigstoreBundle parsed =
        TestBundles.messageSignature(TestBundles.keyHint(), SIGNER.sign(CONTENT), null);
    TlogEntry entry =
        new TlogEntry(
            1,
            new byte[32],
            "hashedrekord",
            "0.0.1",
            1,
            new byte[1],
            Optional.of(new byte[1]),
            Optional.empty());
    SigstoreBundle bundle =
        new SigstoreBundle(
            parsed.mediaType(),
            List.of(),
            parsed.publicKeyHint(),
            java.util.Collections.nCopies(BundleVerifier.MAX_ITEMS + 1, entry),
            List.of(),
            parsed.messageSignature(),
            Optional.empty());
    assertFails(verify(bundle, ARTIFACT, false), "at most 8 are examined");
  }

  // Keyless checks that come before, or without, a log entry.

  private static final FulcioTestPki PKI = new FulcioTestPki();
  private static final String ISSUER = "https://idp.test";

  private static SigstoreBundle keylessBundle(KeyPair key) {
    X509Certificate leaf =
        PKI.leaf(
            key.getPublic(),
            FulcioTestPki.Holder.email("dev@example.com", ISSUER),
            Instant.parse("2025-06-01T00:00:00Z"));
    return TestBundles.messageSignature(
        TestBundles.certificate(leaf), Signers.forPrivateKey(key.getPrivate()).sign(CONTENT), null);
  }

  private static VerificationRequirements identity(boolean tlog) {
    return new VerificationRequirements(
        List.of(new CertificateIdentity(ISSUER, null, "dev@example.com", null, Map.of())),
        List.of(),
        tlog);
  }

  @Test
  void keylessWithoutLogEntryFails() {
    assertFails(
        VERIFIER.verify(keylessBundle(KEY), ARTIFACT, identity(true)), "no transparency log entry");
  }

  @Test
  void keylessNeverTakesTheClockForTheSigningTime() {
    assertFails(
        VERIFIER.verify(keylessBundle(KEY), ARTIFACT, identity(false)), "no verified signing time");
  }

  @Test
  void keylessWithoutIdentitiesIsRefused() {
    assertFails(
        VERIFIER.verify(
            keylessBundle(KEY), ARTIFACT, new VerificationRequirements(List.of(), List.of(), true)),
        "no certificate identity is required");
  }

  @Test
  void keylessSignatureByAnotherKeyFails() {
    X509Certificate leaf =
        PKI.leaf(
            KEY.getPublic(),
            FulcioTestPki.Holder.email("dev@example.com", ISSUER),
            Instant.parse("2025-06-01T00:00:00Z"));
    SigstoreBundle bundle =
        TestBundles.messageSignature(
            TestBundles.certificate(leaf),
            Signers.forPrivateKey(FulcioTestPki.ecKey().getPrivate()).sign(CONTENT),
            null);
    assertFails(
        VERIFIER.verify(bundle, ARTIFACT, identity(true)), "message signature does not verify");
  }
}
