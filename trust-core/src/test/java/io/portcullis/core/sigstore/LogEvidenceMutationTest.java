package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.testing.Mutations;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1OctetString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every single-byte change of the evidence an outsider supplies (log entry bodies, checkpoints, SCT
 * lists, timestamps) is refused with a {@link SigstoreVerificationException}, never another
 * exception (which the gateway would answer with a 500), and never accepted where a signature
 * covers the byte.
 */
class LogEvidenceMutationTest {

  interface Check {
    void run() throws SigstoreVerificationException;
  }

  /** "ok", "refused", or a test failure for any other exception. */
  private static String outcome(Check check, String where) {
    try {
      check.run();
      return "ok";
    } catch (SigstoreVerificationException e) {
      return "refused";
    } catch (RuntimeException e) {
      return fail(where + " threw " + e, e);
    }
  }

  private static TlogEntry withBody(TlogEntry e, byte[] body, Optional<InclusionProof> proof) {
    return new TlogEntry(
        e.logIndex(),
        e.logId(),
        e.kind(),
        e.version(),
        e.integratedTime(),
        body,
        e.signedEntryTimestamp(),
        proof);
  }

  @Test
  void everyChangedBodyByteBreaksTheSetAndTheProof() {
    TrustedRoot root = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    SigstoreBundle bundle = LogFixtures.bundle("bundle.v3.sigstore");
    TlogEntry real = bundle.tlogEntries().get(0);
    byte[] body = real.canonicalizedBody();
    for (int i = 0; i < body.length; i++) {
      byte[] changed = body.clone();
      changed[i] ^= 0x01;
      TlogEntry setOnly = withBody(real, changed, Optional.empty());
      TlogEntry proofOnly =
          new TlogEntry(
              real.logIndex(),
              real.logId(),
              real.kind(),
              real.version(),
              real.integratedTime(),
              changed,
              Optional.empty(),
              real.inclusionProof());
      assertEquals(
          "refused", outcome(() -> TlogVerifier.verifyInclusion(setOnly, root), "SET " + i));
      assertEquals(
          "refused", outcome(() -> TlogVerifier.verifyInclusion(proofOnly, root), "proof " + i));
      outcome(
          () ->
              TlogVerifier.requireBodyMatches(setOnly, bundle, LogFixtures.artifactSha256(), null),
          "body " + i);
    }
  }

  @Test
  void everyChangedCheckpointCharacterIsRefused() {
    TrustedRoot root = LogFixtures.root(LogFixtures.STAGING);
    SigstoreBundle bundle = LogFixtures.bundle("bundle-with-rekor-v2-entry.sigstore");
    TlogEntry real = bundle.tlogEntries().get(0);
    InclusionProof proof = real.inclusionProof().orElseThrow();
    String text = proof.checkpoint();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      for (char to : new char[] {(char) (c ^ 1), '\n', ' '}) {
        if (to == c) {
          continue;
        }
        String changed = text.substring(0, i) + to + text.substring(i + 1);
        TlogEntry entry =
            withBody(
                real,
                real.canonicalizedBody(),
                Optional.of(
                    new InclusionProof(
                        proof.logIndex(),
                        proof.rootHash(),
                        proof.treeSize(),
                        proof.hashes(),
                        changed)));
        String result = outcome(() -> TlogVerifier.verifyInclusion(entry, root), "at " + i);
        // only the signature's base64 may change without changing the signed bytes (padding bits)
        assertTrue(
            result.equals("refused") || text.lastIndexOf(' ') < i,
            "changed checkpoint accepted at " + i);
      }
    }
  }

  @Test
  void everyChangedSctListByteIsRefusedOrHarmless() throws Exception {
    TrustedRoot root = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    X509Certificate leaf = LogFixtures.bundle("bundle.v3.sigstore").certificates().get(0);
    X509Certificate issuer = null;
    for (CertificateAuthority ca : root.certificateAuthorities()) {
      for (X509Certificate c : ca.chain()) {
        if (c.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
          try {
            leaf.verify(c.getPublicKey());
            issuer = c;
          } catch (java.security.GeneralSecurityException e) {
            // another CA of that name
          }
        }
      }
    }
    X509Certificate ca = issuer;
    byte[] list =
        ASN1OctetString.getInstance(
                ASN1OctetString.getInstance(leaf.getExtensionValue(SctVerifier.SCT_LIST.getId()))
                    .getOctets())
            .getOctets();
    byte[] der = leaf.getEncoded();
    int start = indexOf(der, list);
    for (int i = 0; i < list.length; i++) {
      byte[] changed = der.clone();
      changed[start + i] ^= 0x01;
      X509Certificate c = CertificatePem.parse(changed);
      // every byte of the list is either a length, the log id, the time, or signed
      assertEquals("refused", outcome(() -> SctVerifier.verify(c, ca, root), "SCT byte " + i));
    }
  }

  /**
   * The fixture's layout (openssl asn1parse): bytes 69..246 are the TSTInfo (covered by the signed
   * messageDigest attribute) and 356.. the signed attributes and the signature; before and between
   * them lie the response status, the CMS version and digest-algorithm set, the empty certificate
   * set and the signer's issuer name, which no signature covers and which change nothing the
   * verifier relies on.
   */
  @Test
  void everyChangedTimestampByteIsRefusedUnlessNoSignatureCoversIt() {
    TrustedRoot root = LogFixtures.root(LogFixtures.STAGING);
    SigstoreBundle bundle = LogFixtures.bundle("bundle-with-timestamp.sigstore");
    byte[] ts = bundle.rfc3161Timestamps().get(0);
    byte[] sig = bundle.messageSignature().orElseThrow().signature();
    for (int i = 0; i < ts.length; i++) {
      byte[] changed = ts.clone();
      changed[i] ^= 0x01;
      String result = outcome(() -> TimestampVerifier.verify(changed, sig, root), "byte " + i);
      boolean covered = (i >= 69 && i < 247) || i >= 356;
      assertTrue(!covered || result.equals("refused"), "changed byte " + i + " accepted");
    }
  }

  private static final int TRIES = 800;

  /** A refusal, carried out of a {@code Runnable} for {@link Mutations#onlyThrows}. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(SigstoreVerificationException e) {
      super(e.getMessage(), e);
    }
  }

  interface Verification {
    void run(byte[] input) throws SigstoreVerificationException;
  }

  static Stream<Arguments> evidence() {
    SigstoreBundle v1 = LogFixtures.bundle("bundle.v3.sigstore");
    SigstoreBundle dsse = LogFixtures.bundle("bundle.dsse.sigstore");
    SigstoreBundle v2 = LogFixtures.bundle("bundle-with-rekor-v2-entry.sigstore");
    SigstoreBundle ts = LogFixtures.bundle("bundle-with-timestamp.sigstore");
    TrustedRoot good = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    TrustedRoot staging = LogFixtures.root(LogFixtures.STAGING);
    byte[] sha = LogFixtures.artifactSha256();
    return Stream.of(
        Arguments.of("hashedrekord 0.0.1 body", body(v1), bodyCheck(v1, sha)),
        Arguments.of("dsse 0.0.1 body", body(dsse), bodyCheck(dsse, sha)),
        Arguments.of("hashedrekord 0.0.2 body", body(v2), bodyCheck(v2, sha)),
        Arguments.of("Rekor v1 checkpoint", checkpoint(v1), checkpointCheck(v1, good)),
        Arguments.of("Rekor v2 checkpoint", checkpoint(v2), checkpointCheck(v2, staging)),
        Arguments.of(
            "RFC 3161 response",
            ts.rfc3161Timestamps().get(0),
            (Verification)
                input ->
                    TimestampVerifier.verify(
                        input, ts.messageSignature().orElseThrow().signature(), staging)));
  }

  private static byte[] body(SigstoreBundle b) {
    return b.tlogEntries().get(0).canonicalizedBody();
  }

  private static byte[] checkpoint(SigstoreBundle b) {
    return b.tlogEntries()
        .get(0)
        .inclusionProof()
        .orElseThrow()
        .checkpoint()
        .getBytes(StandardCharsets.UTF_8);
  }

  private static Verification bodyCheck(SigstoreBundle b, byte[] sha) {
    TlogEntry real = b.tlogEntries().get(0);
    return input ->
        TlogVerifier.requireBodyMatches(withBody(real, input, Optional.empty()), b, sha, null);
  }

  private static Verification checkpointCheck(SigstoreBundle b, TrustedRoot root) {
    TlogEntry real = b.tlogEntries().get(0);
    InclusionProof p = real.inclusionProof().orElseThrow();
    return input ->
        TlogVerifier.verifyInclusion(
            withBody(
                real,
                real.canonicalizedBody(),
                Optional.of(
                    new InclusionProof(
                        p.logIndex(),
                        p.rootHash(),
                        p.treeSize(),
                        p.hashes(),
                        new String(input, StandardCharsets.UTF_8)))),
            root);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("evidence")
  void mutatedEvidenceIsOnlyEverRefused(String what, byte[] original, Verification verify) {
    Iterator<byte[]> inputs =
        Mutations.of(List.of(original)).sampleStream().limit(TRIES).iterator();
    while (inputs.hasNext()) {
      byte[] input = inputs.next();
      try {
        Mutations.onlyThrows(
            Refused.class,
            () -> {
              try {
                verify.run(input);
              } catch (SigstoreVerificationException e) {
                throw new Refused(e);
              }
            });
      } catch (AssertionError e) {
        throw new AssertionError(
            what + " mutated to base64 " + Base64.getEncoder().encodeToString(input) + ": " + e, e);
      }
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
