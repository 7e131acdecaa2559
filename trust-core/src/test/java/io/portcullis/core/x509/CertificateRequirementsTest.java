package io.portcullis.core.x509;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.notation.InteropFixtures;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateRequirementsTest {
  private static final DevPki PKI = DevPki.generate();

  private static List<X509Certificate> notationChain() {
    return EnvelopeFormat.JWS
        .parse(InteropFixtures.read("envelopes/ca_valid_sig_env.json"))
        .certificateChain();
  }

  @Test
  void notationChainWhoseLeafSharesTheRootDnIsValid() {
    List<X509Certificate> chain = notationChain();
    // same subject DN, different certificates: only the signature tells issuer from subject
    assertTrue(
        chain.get(0).getSubjectX500Principal().equals(chain.get(1).getSubjectX500Principal()));
    assertDoesNotThrow(
        () ->
            CertificateRequirements.checkChain(
                chain, CertificateRequirements.Purpose.CODE_SIGNING));
  }

  @Test
  void reversedChainIsRefused() {
    List<X509Certificate> chain = notationChain();
    assertThrows(
        CertificateChainException.class,
        () ->
            CertificateRequirements.checkChain(
                List.of(chain.get(1), chain.get(0)), CertificateRequirements.Purpose.CODE_SIGNING));
  }

  @Test
  void chainWithoutRootIsRefused() {
    CertificateChainException e =
        assertThrows(
            CertificateChainException.class,
            () ->
                CertificateRequirements.checkChain(
                    List.of(PKI.signer(), PKI.intermediate()),
                    CertificateRequirements.Purpose.CODE_SIGNING));
    assertTrue(e.getMessage().contains("self-signed root"), e.getMessage());
  }

  @Test
  void tlsCertificateIsNotACodeSigningLeaf() {
    CertificateChainException e =
        assertThrows(
            CertificateChainException.class,
            () ->
                CertificateRequirements.checkChain(
                    List.of(PKI.tls(), PKI.intermediate(), PKI.root()),
                    CertificateRequirements.Purpose.CODE_SIGNING));
    assertTrue(e.getMessage().contains("extendedKeyUsage"), e.getMessage());
  }

  @Test
  void caCertificateAsLeafIsRefused() {
    assertThrows(
        CertificateChainException.class,
        () ->
            CertificateRequirements.checkChain(
                List.of(PKI.intermediate(), PKI.root()),
                CertificateRequirements.Purpose.CODE_SIGNING));
  }

  @Test
  void validityIsCheckedAtTheGivenTime() {
    DevPki expired =
        DevPki.generate(
            Instant.now().minus(Duration.ofDays(10)), Duration.ofDays(1), DevPki.SIGNER_SUBJECT);
    CertificateChainException e =
        assertThrows(
            CertificateChainException.class,
            () -> CertificateRequirements.checkValidAt(expired.signingChain(), Instant.now()));
    assertTrue(e.getMessage().contains("expired at"), e.getMessage());
    assertDoesNotThrow(
        () ->
            CertificateRequirements.checkValidAt(
                expired.signingChain(), Instant.now().minus(Duration.ofHours(228))));
  }

  @Test
  void chainToAnotherRootIsNotTrusted() {
    TrustStore otherRoot =
        new TrustStore(TrustStoreType.CA, "other", List.of(DevPki.generate().root()));
    CertificateChainException e =
        assertThrows(
            CertificateChainException.class,
            () ->
                TrustChainValidator.validate(
                    PKI.signingChain(),
                    List.of(otherRoot),
                    CertificateRequirements.Purpose.CODE_SIGNING,
                    Instant.now()));
    assertTrue(e.getMessage().contains("does not lead to a certificate in trust store"));
  }
}
