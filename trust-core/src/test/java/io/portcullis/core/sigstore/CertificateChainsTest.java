package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chaining a leaf to a trusted-root CA at the signing time. */
class CertificateChainsTest {
  private static final Instant SIGNED = Instant.parse("2025-06-01T00:05:00Z");
  private static final FulcioTestPki PKI = new FulcioTestPki();
  private static final Instant EPOCH_PLUS_TEN_YEARS =
      FulcioTestPki.EPOCH.plus(Duration.ofDays(3650));
  private static final X509Certificate LEAF =
      PKI.leaf(
          FulcioTestPki.ecKey().getPublic(),
          FulcioTestPki.Holder.email("dev@example.com", "https://idp.test"),
          Instant.parse("2025-06-01T00:00:00Z"));

  private static CertificateChains chains(Instant start, Instant end, List<X509Certificate> chain) {
    return new CertificateChains(
        TrustedRoot.parse(
                FulcioTestPki.trustedRootJson(start, end, chain).getBytes(StandardCharsets.UTF_8))
            .certificateAuthorities());
  }

  private static String refusal(CertificateChains chains, List<X509Certificate> extra, Instant at) {
    return assertThrows(SigstoreVerificationException.class, () -> chains.chain(LEAF, extra, at))
        .getMessage();
  }

  @Test
  void chainsToTheIssuingCertificateOfTheCa() throws Exception {
    CertificateChains.Chained c =
        chains(FulcioTestPki.EPOCH, null, List.of(PKI.intermediate, PKI.root))
            .chain(LEAF, List.of(), SIGNED);
    assertEquals(PKI.intermediate, c.issuer());
  }

  @Test
  void caOutsideItsValidForWindowIsRefused() {
    String why =
        refusal(
            chains(
                FulcioTestPki.EPOCH, SIGNED.minusSeconds(1), List.of(PKI.intermediate, PKI.root)),
            List.of(),
            SIGNED);
    assertTrue(why.contains("was not valid at the signing time"), why);
  }

  @Test
  void leafExpiredAtTheSigningTimeIsRefused() {
    String why =
        refusal(
            chains(FulcioTestPki.EPOCH, null, List.of(PKI.intermediate, PKI.root)),
            List.of(),
            SIGNED.plus(Duration.ofHours(1)));
    assertTrue(why.contains("fails validation"), why);
  }

  @Test
  void caCertificatesMustBeValidAtTheSigningTime() {
    FulcioTestPki old =
        new FulcioTestPki(FulcioTestPki.EPOCH, Instant.parse("2025-03-01T00:00:00Z"));
    X509Certificate leaf =
        old.leaf(
            FulcioTestPki.ecKey().getPublic(),
            FulcioTestPki.Holder.email("dev@example.com", "https://idp.test"),
            Instant.parse("2025-06-01T00:00:00Z"));
    CertificateChains chains =
        chains(FulcioTestPki.EPOCH, null, List.of(old.intermediate, old.root));
    String why =
        assertThrows(
                SigstoreVerificationException.class, () -> chains.chain(leaf, List.of(), SIGNED))
            .getMessage();
    assertTrue(why.contains("was not valid at"), why);
  }

  @Test
  void leafOfAnotherCaOfTheSameNameIsRefused() {
    FulcioTestPki other = new FulcioTestPki();
    String why =
        refusal(
            chains(FulcioTestPki.EPOCH, null, List.of(other.intermediate, other.root)),
            List.of(),
            SIGNED);
    assertTrue(why.contains("signature check failed"), why);
  }

  @Test
  void bundleIntermediateIsUsedOnlyUnderATrustedRoot() throws Exception {
    CertificateChains rootOnly = chains(FulcioTestPki.EPOCH, null, List.of(PKI.root));
    assertEquals(
        PKI.intermediate, rootOnly.chain(LEAF, List.of(PKI.intermediate), SIGNED).issuer());
    refusal(rootOnly, List.of(), SIGNED);
    // an intermediate of the right name but another key does not verify
    FulcioTestPki impostor = new FulcioTestPki();
    String why = refusal(rootOnly, List.of(impostor.intermediate), SIGNED);
    assertTrue(why.contains("fails validation"), why);
  }

  @Test
  void aBundleIntermediateMustBeValidAtEveryVerifiedTime() throws Exception {
    // two verified times (a SET and a timestamp, say) inside the leaf's ten minutes; the
    // intermediate the bundle brings expires between them
    Instant expiry = Instant.parse("2025-06-01T00:03:00Z");
    FulcioTestPki pki = new FulcioTestPki(FulcioTestPki.EPOCH, EPOCH_PLUS_TEN_YEARS, expiry);
    X509Certificate leaf =
        pki.leaf(
            FulcioTestPki.ecKey().getPublic(),
            FulcioTestPki.Holder.email("dev@example.com", "https://idp.test"),
            Instant.parse("2025-06-01T00:00:00Z"));
    CertificateChains rootOnly = chains(FulcioTestPki.EPOCH, null, List.of(pki.root));
    Instant before = expiry.minusSeconds(60);
    Instant after = expiry.plusSeconds(60);

    assertEquals(
        pki.intermediate,
        rootOnly.chain(leaf, List.of(pki.intermediate), List.of(before)).issuer());
    for (List<Instant> times : List.of(List.of(before, after), List.of(after, before))) {
      String why =
          assertThrows(
                  SigstoreVerificationException.class,
                  () -> rootOnly.chain(leaf, List.of(pki.intermediate), times))
              .getMessage();
      assertTrue(why.contains("test-fulcio-intermediate"), why);
    }
  }

  @Test
  void caWhoseChainDoesNotVerifyIsNotUsed() {
    FulcioTestPki other = new FulcioTestPki();
    String why =
        refusal(
            chains(FulcioTestPki.EPOCH, null, List.of(PKI.intermediate, other.root)),
            List.of(),
            SIGNED);
    assertTrue(why.contains("no usable certificate authority"), why);
  }

  @Test
  void leafWithoutCodeSigningIsRefused() throws Exception {
    BundleVerifier.requireCodeSigning(LEAF);
    X509Certificate noEku =
        PKI.leaf(
            FulcioTestPki.ecKey().getPublic(),
            FulcioTestPki.Holder.email("dev@example.com", "https://idp.test"),
            Instant.parse("2025-06-01T00:00:00Z"),
            false);
    String why =
        assertThrows(
                SigstoreVerificationException.class, () -> BundleVerifier.requireCodeSigning(noEku))
            .getMessage();
    assertTrue(why.contains("code signing"), why);
  }
}
