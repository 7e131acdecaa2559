package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.Signer;
import io.portcullis.core.keys.Signers;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Key-based bundles with a Rekor v1 entry signed (SET) by a test log key listed in a test trusted
 * root: a present entry must verify and record this very signature, required or not.
 */
class KeyBasedLogEntryTest {
  private static final byte[] CONTENT = "logged artifact\n".getBytes(StandardCharsets.UTF_8);
  private static final Artifact ARTIFACT = Artifact.ofContent(CONTENT);
  private static final KeyPair KEY = FulcioTestPki.ecKey();
  private static final KeyPair LOG = FulcioTestPki.ecKey();
  private static final long INTEGRATED = 1_750_000_000L;

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  private static TrustedRoot root() throws Exception {
    byte[] spki = LOG.getPublic().getEncoded();
    return TrustedRoot.parse(
        ("{\"tlogs\":[{\"baseUrl\":\"https://rekor.test\",\"hashAlgorithm\":\"SHA2_256\","
                + "\"publicKey\":{\"rawBytes\":\""
                + TestBundles.b64(spki)
                + "\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\","
                + "\"validFor\":{\"start\":\"2025-01-01T00:00:00Z\"}},"
                + "\"logId\":{\"keyId\":\""
                + TestBundles.b64(sha256(spki))
                + "\"}}]}")
            .getBytes(StandardCharsets.UTF_8));
  }

  /** A bundle signed by KEY over CONTENT, logged as a hashedrekord over {@code loggedSha256}. */
  private static SigstoreBundle bundle(byte[] loggedSha256, Signer logSigner) throws Exception {
    byte[] sig = Signers.forPrivateKey(KEY.getPrivate()).sign(CONTENT);
    String pem = PublicKeyPem.encode(KEY.getPublic());
    byte[] body =
        ("{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":"
                + "{\"algorithm\":\"sha256\",\"value\":\""
                + HexFormat.of().formatHex(loggedSha256)
                + "\"}},\"signature\":{\"content\":\""
                + TestBundles.b64(sig)
                + "\",\"publicKey\":{\"content\":\""
                + TestBundles.b64(pem.getBytes(StandardCharsets.UTF_8))
                + "\"}}}}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] logId = sha256(LOG.getPublic().getEncoded());
    byte[] set = logSigner.sign(SignedEntryTimestamp.payload(body, INTEGRATED, logId, 7));
    String entry =
        "{\"logIndex\":\"7\",\"logId\":{\"keyId\":\""
            + TestBundles.b64(logId)
            + "\"},\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"},"
            + "\"integratedTime\":\""
            + INTEGRATED
            + "\",\"inclusionPromise\":{\"signedEntryTimestamp\":\""
            + TestBundles.b64(set)
            + "\"},\"canonicalizedBody\":\""
            + TestBundles.b64(body)
            + "\"}";
    return TestBundles.messageSignature(
        "{\"publicKey\":{\"hint\":\"k\"},\"tlogEntries\":[" + entry + "]}", sig, sha256(CONTENT));
  }

  private static BundleOutcome verify(SigstoreBundle bundle, boolean required) throws Exception {
    return new BundleVerifier(root())
        .verify(
            bundle, ARTIFACT, VerificationRequirements.keys(List.of(KEY.getPublic()), required));
  }

  @Test
  void loggedKeySignaturePassesWhenTheLogIsRequired() throws Exception {
    BundleOutcome outcome =
        verify(bundle(sha256(CONTENT), Signers.forPrivateKey(LOG.getPrivate())), true);
    assertTrue(outcome.verified(), outcome.failure());
    assertEquals(7, outcome.logIndex().orElseThrow());
    assertEquals(Instant.ofEpochSecond(INTEGRATED), outcome.signedAt().orElseThrow());
  }

  @Test
  void setByAnotherKeyFailsEvenWhenTheLogIsNotRequired() throws Exception {
    SigstoreBundle bundle =
        bundle(sha256(CONTENT), Signers.forPrivateKey(FulcioTestPki.ecKey().getPrivate()));
    for (boolean required : new boolean[] {true, false}) {
      BundleOutcome outcome = verify(bundle, required);
      assertFalse(outcome.verified());
      assertTrue(outcome.failure().contains("SET"), outcome.failure());
    }
  }

  @Test
  void entryOfAnotherArtifactFails() throws Exception {
    BundleOutcome outcome =
        verify(
            bundle(
                sha256("other".getBytes(StandardCharsets.UTF_8)),
                Signers.forPrivateKey(LOG.getPrivate())),
            false);
    assertFalse(outcome.verified());
    assertTrue(
        outcome.failure().contains("records a different artifact digest"), outcome.failure());
  }
}
