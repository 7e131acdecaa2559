package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimestampVerifierTest {

  /** The bytes a bundle's timestamp is over: its message signature or its DSSE signature. */
  private static byte[] signature(SigstoreBundle bundle) {
    return bundle
        .messageSignature()
        .map(MessageSignature::signature)
        .orElseGet(() -> bundle.dsseEnvelope().orElseThrow().signatures().get(0).sig());
  }

  private static Instant verify(String bundleFile, String rootFile)
      throws SigstoreVerificationException {
    SigstoreBundle bundle = LogFixtures.bundle(bundleFile);
    return TimestampVerifier.verify(
        bundle.rfc3161Timestamps().get(0), signature(bundle), LogFixtures.root(rootFile));
  }

  @ParameterizedTest(name = "{0} with {1}")
  @CsvSource({
    "bundle-with-timestamp.sigstore, staging_trusted_root.json, 2025-05-22T15:45:54Z",
    "bundle-with-timestamp.sigstore, staging_trusted_root_with_one_tsa.json, 2025-05-22T15:45:54Z",
  })
  void timestampsOfTrustedAuthoritiesVerify(String bundle, String root, String genTime)
      throws Exception {
    assertEquals(Instant.parse(genTime), verify(bundle, root));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "bundle-with-rekor-v2-entry.sigstore, " + LogFixtures.STAGING,
    "bundle.dsse.rekor-v2.sigstore, " + LogFixtures.PUBLIC_GOOD,
  })
  void rekorV2BundlesCarryTheirTimeInATimestamp(String bundle, String root) throws Exception {
    SigstoreBundle b = LogFixtures.bundle(bundle);
    Instant t = verify(bundle, root);
    // the leaf is a 10-minute Fulcio certificate: the stamped time falls inside it
    assertTrue(
        !t.isBefore(b.certificates().get(0).getNotBefore().toInstant())
            && !t.isAfter(b.certificates().get(0).getNotAfter().toInstant()),
        t.toString());
  }

  @Test
  void aTimestampOverOtherBytesFails() {
    SigstoreBundle bundle = LogFixtures.bundle("bundle-with-timestamp.sigstore");
    byte[] other = signature(bundle);
    other[other.length - 1] ^= 1;
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () ->
                TimestampVerifier.verify(
                    bundle.rfc3161Timestamps().get(0),
                    other,
                    LogFixtures.root(LogFixtures.STAGING)));
    assertEquals(
        "RFC 3161 timestamp is over other bytes than the bundle's signature", e.getMessage());
  }

  @Test
  void anAuthorityOutsideItsValidityFails() {
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () ->
                verify(
                    "bundle-with-timestamp.sigstore",
                    "staging_trusted_root_with_outdated_tsa.json"));
    assertTrue(e.getMessage().contains("was not valid at 2025-05-22T15:45:54Z"), e.getMessage());
  }

  @Test
  void anAuthorityTheRootDoesNotListFails() {
    // the staging timestamp against the public-good root's authority of the same name
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () -> verify("bundle-with-timestamp.sigstore", "trusted_root.json"));
    assertTrue(e.getMessage().contains("did not sign it"), e.getMessage());
  }

  @Test
  void aChangedTokenFails() {
    SigstoreBundle bundle = LogFixtures.bundle("bundle-with-timestamp.sigstore");
    byte[] token = bundle.rfc3161Timestamps().get(0);
    token[token.length - 5] ^= 1; // inside the TSA's signature
    assertThrows(
        SigstoreVerificationException.class,
        () ->
            TimestampVerifier.verify(
                token, signature(bundle), LogFixtures.root(LogFixtures.STAGING)));
  }

  @Test
  void aTsaChainThatDoesNotChainFails() {
    TrustedRoot staging = LogFixtures.root("staging_trusted_root_with_one_tsa.json");
    TrustedRoot good = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    CertificateAuthority tsa = staging.timestampAuthorities().get(0);
    List<X509Certificate> fulcioChain = good.certificateAuthorities().get(0).chain();
    CertificateAuthority spliced =
        new CertificateAuthority(
            tsa.uri(),
            List.of(tsa.chain().get(0), fulcioChain.get(fulcioChain.size() - 1)),
            tsa.validity());
    TrustedRoot root =
        new TrustedRoot(
            staging.mediaType(),
            staging.tlogs(),
            staging.certificateAuthorities(),
            staging.ctlogs(),
            List.of(spliced),
            staging.sha256());
    SigstoreBundle bundle = LogFixtures.bundle("bundle-with-timestamp.sigstore");
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () ->
                TimestampVerifier.verify(
                    bundle.rfc3161Timestamps().get(0), signature(bundle), root));
    assertTrue(e.getMessage().contains("is not signed by the next"), e.getMessage());
  }

  @Test
  void garbageIsRefusedWithAMessage() {
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () ->
                TimestampVerifier.verify(
                    new byte[] {0x30, 0x03, 0x02, 0x01, 0x00},
                    new byte[1],
                    LogFixtures.root(LogFixtures.STAGING)));
    assertTrue(e.getMessage().startsWith("RFC 3161 timestamp"), e.getMessage());
  }
}
