package io.portcullis.core.sigstore;

import java.security.GeneralSecurityException;
import java.security.Security;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Chains a Fulcio leaf to a certificate authority of the trusted root, at a verified signing time.
 * Each CA's own chain (issuing certificate up to its root) is checked once, when this is built, and
 * its issuing certificate kept as a PKIX {@link TrustAnchor}; a leaf then costs one RFC 5280
 * validation of the leaf (and any intermediates the bundle carries, which are never trusted on
 * their own) against that anchor, plus date checks of the CA's certificates and its {@code
 * validFor} window at the signing time.
 */
final class CertificateChains {
  /** Most certificates walked from a bundle, so a hostile chain cannot make the search spin. */
  static final int MAX_BUNDLE_CERTIFICATES = 8;

  /** A CA whose own chain verified, with its issuing certificate as a reusable anchor. */
  private record Anchored(CertificateAuthority ca, TrustAnchor anchor) {}

  /** A chained leaf: the certificate that issued it (for SCT checks) and the CA. */
  record Chained(X509Certificate issuer, CertificateAuthority ca) {}

  private final List<Anchored> anchors;
  private final List<String> refused;

  CertificateChains(List<CertificateAuthority> cas) {
    List<Anchored> ok = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (CertificateAuthority ca : cas) {
      Optional<String> why = selfCheck(ca);
      if (why.isEmpty()) {
        ok.add(new Anchored(ca, new TrustAnchor(ca.chain().get(0), null)));
      } else {
        bad.add(ca.uri() + ": " + why.get());
      }
    }
    this.anchors = List.copyOf(ok);
    this.refused = List.copyOf(bad);
  }

  /** Each certificate of the CA's chain is signed by the next; the last by itself or trusted. */
  private static Optional<String> selfCheck(CertificateAuthority ca) {
    List<X509Certificate> chain = ca.chain();
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      X509Certificate issuer = chain.get(i + 1);
      if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
        return Optional.of("certificate " + i + " is not issued by the next one");
      }
      try {
        c.verify(issuer.getPublicKey());
      } catch (GeneralSecurityException | RuntimeException e) {
        return Optional.of("certificate " + i + " has a bad signature");
      }
      if (issuer.getBasicConstraints() < 0) {
        return Optional.of("certificate " + (i + 1) + " is not a CA");
      }
    }
    if (chain.get(0).getBasicConstraints() < 0) {
      return Optional.of("its issuing certificate is not a CA");
    }
    return Optional.empty();
  }

  /** {@link #chain(X509Certificate, List, List)} at one signing time. */
  Chained chain(X509Certificate leaf, List<X509Certificate> bundleCerts, Instant at)
      throws SigstoreVerificationException {
    return chain(leaf, bundleCerts, List.of(at));
  }

  /**
   * Finds the CA that issued {@code leaf} and was valid at every one of {@code times} (the verified
   * signing times): by its {@code validFor} window and by the dates of every certificate up to its
   * root, and of every intermediate {@code bundleCerts} (after the leaf) supplies between the leaf
   * and the CA's issuing certificate. The signatures are checked once, by PKIX at the first time.
   */
  Chained chain(X509Certificate leaf, List<X509Certificate> bundleCerts, List<Instant> times)
      throws SigstoreVerificationException {
    if (times.isEmpty()) {
      throw new IllegalArgumentException("no signing time to chain the certificate at");
    }
    if (anchors.isEmpty()) {
      throw new SigstoreVerificationException(
          "the trusted root has no usable certificate authority"
              + (refused.isEmpty() ? "" : " (refused: " + String.join("; ", refused) + ")"));
    }
    List<X509Certificate> extra =
        bundleCerts.subList(0, Math.min(bundleCerts.size(), MAX_BUNDLE_CERTIFICATES));
    String last = "certificate is not issued by any certificate authority of the trusted root";
    for (Anchored a : anchors) {
      X509Certificate top = a.ca().chain().get(0);
      List<X509Certificate> path = pathTo(leaf, extra, top);
      if (path.isEmpty()) {
        continue;
      }
      Optional<String> invalid = notValidAtAll(a.ca(), path, times);
      if (invalid.isPresent()) {
        last = invalid.get();
        continue;
      }
      try {
        pkix(path, a.anchor(), times.get(0));
      } catch (CertPathValidatorException e) {
        last = "certificate chain fails validation at " + times.get(0) + ": " + e.getMessage();
        continue;
      }
      X509Certificate issuer = path.size() > 1 ? path.get(1) : top;
      return new Chained(issuer, a.ca());
    }
    throw new SigstoreVerificationException(last);
  }

  /** Why {@code ca}, its chain or the bundle's intermediates on {@code path} fail at some time. */
  private static Optional<String> notValidAtAll(
      CertificateAuthority ca, List<X509Certificate> path, List<Instant> times) {
    for (Instant at : times) {
      if (!ca.validity().contains(at)) {
        return Optional.of(
            "certificate authority "
                + ca.uri()
                + " was not valid at the signing time "
                + at
                + " (valid "
                + ca.validity()
                + ")");
      }
      Optional<String> expired = notValidAt(ca.chain(), at);
      if (expired.isEmpty()) {
        expired = notValidAt(path.subList(1, path.size()), at);
      }
      if (expired.isPresent()) {
        return Optional.of("certificate authority " + ca.uri() + ": " + expired.get());
      }
    }
    return Optional.empty();
  }

  /**
   * The leaf, then intermediates from the bundle by issuer name, up to (not including) {@code top}.
   */
  private static List<X509Certificate> pathTo(
      X509Certificate leaf, List<X509Certificate> extra, X509Certificate top) {
    List<X509Certificate> path = new ArrayList<>(List.of(leaf));
    X509Certificate current = leaf;
    while (!current.getIssuerX500Principal().equals(top.getSubjectX500Principal())) {
      X509Certificate next = null;
      for (X509Certificate c : extra) {
        if (!path.contains(c)
            && !c.equals(top)
            && c.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
          next = c;
          break;
        }
      }
      if (next == null || path.size() > MAX_BUNDLE_CERTIFICATES) {
        return List.of();
      }
      path.add(next);
      current = next;
    }
    return path;
  }

  static Optional<String> notValidAt(List<X509Certificate> certs, Instant at) {
    for (X509Certificate c : certs) {
      if (at.isBefore(c.getNotBefore().toInstant()) || at.isAfter(c.getNotAfter().toInstant())) {
        return Optional.of(
            "certificate '"
                + c.getSubjectX500Principal().getName()
                + "' was not valid at "
                + at
                + " (valid "
                + c.getNotBefore().toInstant()
                + ".."
                + c.getNotAfter().toInstant()
                + ")");
      }
    }
    return Optional.empty();
  }

  /** BouncyCastle registered once, last in preference, so PKIX can be asked for it by name. */
  private static final class BouncyCastle {
    static final String NAME;

    static {
      if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
        Security.addProvider(new BouncyCastleProvider());
      }
      NAME = BouncyCastleProvider.PROVIDER_NAME;
    }
  }

  private static void pkix(List<X509Certificate> path, TrustAnchor anchor, Instant at)
      throws CertPathValidatorException {
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(Set.of(anchor));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(at));
      // The JDK's own ECDSA (P-384 Fulcio intermediates) costs three times BouncyCastle's.
      params.setSigProvider(BouncyCastle.NAME);
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (CertPathValidatorException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKIX validation unavailable in this JDK", e);
    }
  }
}
