package io.portcullis.core.keys;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Root certificates (trust anchors) plus known intermediates, against which signing certificates
 * are validated with the JDK's PKIX path builder (<a
 * href="https://www.rfc-editor.org/rfc/rfc5280#section-6">RFC 5280 section 6</a>). Validation is at
 * a caller-given instant: for short-lived Fulcio certificates that is the Rekor integrated time,
 * not "now". Revocation is not checked; sigstore certificates carry no revocation pointers.
 */
public record TrustRoots(List<X509Certificate> roots, List<X509Certificate> intermediates) {

  public TrustRoots {
    roots = List.copyOf(roots);
    intermediates = List.copyOf(intermediates);
    if (roots.isEmpty()) {
      throw new KeyFormatException("a trust root set needs at least one root certificate");
    }
  }

  /** Roots and intermediates from PEM text (intermediates may be empty). */
  public static TrustRoots fromPem(String rootsPem, String intermediatesPem) {
    List<X509Certificate> roots = CertificatePem.parseAll(rootsPem);
    if (roots.isEmpty()) {
      throw new KeyFormatException("no CERTIFICATE block in the trust roots");
    }
    return new TrustRoots(
        roots, intermediatesPem == null ? List.of() : CertificatePem.parseAll(intermediatesPem));
  }

  /**
   * Empty when {@code leaf} chains to a root at {@code at} (using {@code presented} certificates,
   * e.g. a cosign chain annotation, as further intermediates); otherwise why it does not.
   */
  public Optional<String> validate(
      X509Certificate leaf, List<X509Certificate> presented, Instant at) {
    Set<TrustAnchor> anchors =
        roots.stream().map(root -> new TrustAnchor(root, null)).collect(Collectors.toSet());
    List<X509Certificate> pool = new ArrayList<>(intermediates);
    pool.addAll(presented);
    pool.add(leaf);
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(at));
      params.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
      PKIXCertPathBuilderResult result =
          (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
      return result == null ? Optional.of("no certificate path") : Optional.empty();
    } catch (CertPathBuilderException e) {
      return Optional.of(
          "certificate '"
              + leaf.getSubjectX500Principal().getName()
              + "' does not chain to a trusted root at "
              + at
              + ": "
              + firstLine(e));
    } catch (InvalidAlgorithmParameterException e) {
      return Optional.of("invalid trust roots: " + firstLine(e));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks PKIX path building", e);
    }
  }

  private static String firstLine(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? e.getMessage() : cause.getMessage();
    return message == null
        ? cause.getClass().getSimpleName()
        : message.lines().findFirst().orElse("");
  }
}
