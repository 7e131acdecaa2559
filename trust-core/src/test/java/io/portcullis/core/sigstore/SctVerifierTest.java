package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.keys.CertificatePem;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SctVerifierTest {

  private static X509Certificate leaf(String bundle) {
    return LogFixtures.bundle(bundle).certificates().get(0);
  }

  /** The Fulcio CA certificate of {@code root} that signed {@code leaf}. */
  private static X509Certificate issuer(X509Certificate leaf, TrustedRoot root) {
    for (CertificateAuthority ca : root.certificateAuthorities()) {
      for (X509Certificate c : ca.chain()) {
        if (c.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
          try {
            leaf.verify(c.getPublicKey());
            return c;
          } catch (java.security.GeneralSecurityException e) {
            // another CA of the same name
          }
        }
      }
    }
    throw new AssertionError("no issuer of " + leaf.getSubjectX500Principal());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "bundle.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v1.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v3.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle-with-expired-cert.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.dsse.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "PKIX_RSA_PKCS1V15_4096_SHA256.sigstore.json, " + LogFixtures.PUBLIC_GOOD,
    "bundle-with-rekor-v2-entry.sigstore, " + LogFixtures.STAGING,
  })
  void embeddedSctsOfFulcioLeavesVerify(String bundle, String rootFile) {
    TrustedRoot root = LogFixtures.root(rootFile);
    X509Certificate leaf = leaf(bundle);
    assertDoesNotThrow(() -> SctVerifier.verify(leaf, issuer(leaf, root), root));
  }

  @Test
  void aFlippedByteOfTheSctSignatureFails() throws Exception {
    TrustedRoot root = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    X509Certificate leaf = leaf("bundle.v3.sigstore");
    byte[] list =
        ASN1OctetString.getInstance(
                ASN1OctetString.getInstance(leaf.getExtensionValue(SctVerifier.SCT_LIST.getId()))
                    .getOctets())
            .getOctets();
    byte[] der = leaf.getEncoded();
    int at = indexOf(der, list) + list.length - 3; // inside the last SCT's signature
    der[at] ^= 0x01;
    X509Certificate changed = CertificatePem.parse(der);
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () -> SctVerifier.verify(changed, issuer(leaf, root), root));
    assertTrue(e.getMessage().contains("is not valid"), e.getMessage());
  }

  @Test
  void aLeafWhoseOtherContentChangedFails() throws Exception {
    TrustedRoot root = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    X509Certificate leaf = leaf("bundle.v3.sigstore");
    byte[] der = leaf.getEncoded();
    byte[] key = leaf.getPublicKey().getEncoded();
    der[indexOf(der, key) + key.length - 1] ^= 0x01; // the last byte of the leaf's public key
    X509Certificate changed = CertificatePem.parse(der);
    assertThrows(
        SigstoreVerificationException.class,
        () -> SctVerifier.verify(changed, issuer(leaf, root), root));
  }

  @Test
  void anSctOfALogNotValidAtTheSctTimeFails() {
    // the log is listed, but its key's window closed before the SCT was made (a retired CT log)
    TrustedRoot real = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    X509Certificate leaf = leaf("bundle.v3.sigstore");
    Instant issued = leaf.getNotBefore().toInstant();
    TrustedRoot retired =
        new TrustedRoot(
            real.mediaType(),
            real.tlogs(),
            real.certificateAuthorities(),
            real.ctlogs().stream()
                .map(
                    l ->
                        new TransparencyLog(
                            l.baseUrl(),
                            l.logId(),
                            l.publicKeyDer(),
                            l.key(),
                            l.keyDetails(),
                            new Validity(l.validity().start(), issued.minusSeconds(3600))))
                .toList(),
            real.timestampAuthorities(),
            real.sha256());
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () -> SctVerifier.verify(leaf, issuer(leaf, real), retired));
    assertTrue(e.getMessage().contains("is outside CT log"), e.getMessage());
  }

  @Test
  void anSctOfALogTheRootDoesNotListFails() {
    TrustedRoot real = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    TrustedRoot noCtLogs =
        new TrustedRoot(
            real.mediaType(),
            real.tlogs(),
            real.certificateAuthorities(),
            List.of(),
            real.timestampAuthorities(),
            real.sha256());
    X509Certificate leaf = leaf("bundle.v3.sigstore");
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () -> SctVerifier.verify(leaf, issuer(leaf, real), noCtLogs));
    assertTrue(e.getMessage().contains("which is not in the trusted root"), e.getMessage());
  }

  @Test
  void anSctSignedWithAnotherIssuerKeyHashFails() {
    // the staging leaf's SCT checked with the public-good issuer: the issuer key hash differs
    TrustedRoot staging = LogFixtures.root(LogFixtures.STAGING);
    TrustedRoot good = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    X509Certificate stagingLeaf = leaf("bundle-with-rekor-v2-entry.sigstore");
    X509Certificate goodIssuer = issuer(leaf("bundle.v3.sigstore"), good);
    assertThrows(
        SigstoreVerificationException.class,
        () -> SctVerifier.verify(stagingLeaf, goodIssuer, staging));
  }

  @Test
  void aCertificateWithoutSctsFails() {
    TrustedRoot root = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    X509Certificate leaf = leaf("bundle.v3.sigstore");
    X509Certificate ca = issuer(leaf, root);
    SigstoreVerificationException e =
        assertThrows(SigstoreVerificationException.class, () -> SctVerifier.verify(ca, ca, root));
    assertTrue(e.getMessage().contains("no embedded SCT"), e.getMessage());
  }

  @Test
  void truncatedSctListsAreMalformedNotCrashes() {
    byte[][] lists = {
      {}, {0}, {0, 5, 0, 3, 0, 1}, {0, 2, 0, 0}, {(byte) 0xff, (byte) 0xff},
    };
    for (byte[] list : lists) {
      assertThrows(RuntimeException.class, () -> SctVerifier.parseList(list));
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
