package io.portcullis.core.x509;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a signing chain leads to a trusted certificate, following the authenticity step
 * of <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#steps">signature
 * verification</a>: the chain meets the {@link CertificateRequirements}, one of its certificates is
 * (byte for byte) in one of the given stores, and the part of the chain below that certificate
 * passes the JDK's RFC 5280 PKIX validation at the reference time, with that certificate as anchor.
 *
 * <p>Revocation is not checked here (no network in the trust core); PKIX runs with revocation off.
 */
public final class TrustChainValidator {
  private TrustChainValidator() {}

  /**
   * Validates {@code chain} ({@code [leaf, ..., root]}) against {@code stores} at {@code at};
   * returns the trusted certificate it ends in, or throws {@link CertificateChainException} with
   * the reason.
   */
  public static X509Certificate validate(
      List<X509Certificate> chain,
      List<TrustStore> stores,
      CertificateRequirements.Purpose purpose,
      Instant at) {
    CertificateRequirements.checkChain(chain, purpose);
    if (stores.isEmpty()) {
      throw new CertificateChainException("no trust store is configured for this signature");
    }
    int anchorIndex = -1;
    for (int i = 0; i < chain.size() && anchorIndex < 0; i++) {
      X509Certificate cert = chain.get(i);
      if (stores.stream().anyMatch(s -> s.contains(cert))) {
        anchorIndex = i;
      }
    }
    if (anchorIndex < 0) {
      throw new CertificateChainException(
          "certificate chain of '"
              + CertificateRequirements.subject(chain.get(0))
              + "' does not lead to a certificate in trust store(s) "
              + stores.stream().map(TrustStore::reference).collect(Collectors.joining(", ")));
    }
    X509Certificate anchor = chain.get(anchorIndex);
    CertificateRequirements.checkValidAt(chain.subList(0, anchorIndex + 1), at);
    if (anchorIndex > 0) {
      pkix(chain.subList(0, anchorIndex), anchor, at);
    }
    return anchor;
  }

  private static void pkix(List<X509Certificate> path, X509Certificate anchor, Instant at) {
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(at));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (CertPathValidatorException e) {
      throw new CertificateChainException(
          "certificate chain of '"
              + CertificateRequirements.subject(path.get(0))
              + "' fails PKIX validation: "
              + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKIX validation unavailable in this JDK", e);
    }
  }
}
