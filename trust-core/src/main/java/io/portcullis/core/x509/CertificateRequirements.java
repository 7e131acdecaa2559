package io.portcullis.core.x509;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * The Notary Project <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#certificate-requirements">certificate
 * requirements</a> for a signing or time-stamping chain, checked on the chain as the envelope
 * carries it, independently of any trust store.
 *
 * <p>Issuers are matched by DN <em>and</em> by verifying each signature with the next certificate's
 * key: Notation's own test leaf shares its subject DN with its root, so a DN match alone would pair
 * a certificate with itself.
 */
public final class CertificateRequirements {
  private static final String KEY_USAGE = "2.5.29.15";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String EKU_ANY = "2.5.29.37.0";
  private static final String EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String EKU_CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
  private static final String EKU_EMAIL = "1.3.6.1.5.5.7.3.4";
  private static final String EKU_TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
  private static final Set<String> SHA1_SIGNATURES =
      Set.of("1.2.840.113549.1.1.5", "1.2.840.10045.4.1", "1.2.840.10040.4.3");

  // keyUsage bit positions (RFC 5280 4.2.1.3)
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int[] FORBIDDEN_LEAF_BITS = {2, 3, 4, 5, 6, 7, 8};

  private CertificateRequirements() {}

  /** Which leaf profile applies. */
  public enum Purpose {
    CODE_SIGNING,
    TIME_STAMPING
  }

  /**
   * Checks the ordered chain {@code [leaf, intermediates..., root]}: each certificate is issued by
   * the next, the last is self-signed, the leaf meets the leaf rules for {@code purpose} and the
   * others the CA rules. Validity dates are checked separately ({@link #checkValidAt}).
   */
  public static void checkChain(List<X509Certificate> chain, Purpose purpose) {
    if (chain == null || chain.isEmpty()) {
      throw new CertificateChainException("certificate chain is empty");
    }
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate cert = chain.get(i);
      if (SHA1_SIGNATURES.contains(cert.getSigAlgOID())) {
        throw new CertificateChainException(
            "certificate '" + subject(cert) + "' is signed with SHA-1, which is not allowed");
      }
      boolean last = i == chain.size() - 1;
      X509Certificate issuer = last ? cert : chain.get(i + 1);
      if (!isIssuedBy(cert, issuer)) {
        throw new CertificateChainException(
            last
                ? "certificate chain must end with a self-signed root, but '"
                    + subject(cert)
                    + "' is not self-signed"
                : "certificate '"
                    + subject(cert)
                    + "' is not issued by the next certificate in the chain '"
                    + subject(issuer)
                    + "'");
      }
      if (i == 0) {
        checkLeaf(cert, purpose);
      } else {
        checkCa(cert, i - 1);
      }
    }
  }

  /** Each certificate of {@code chain} is valid at {@code at}; the message names the first not. */
  public static void checkValidAt(List<X509Certificate> chain, Instant at) {
    for (X509Certificate cert : chain) {
      Date when = Date.from(at);
      if (when.before(cert.getNotBefore())) {
        throw new CertificateChainException(
            "certificate '"
                + subject(cert)
                + "' is not valid until "
                + cert.getNotBefore().toInstant()
                + " (checked at "
                + at
                + ")");
      }
      if (when.after(cert.getNotAfter())) {
        throw new CertificateChainException(
            "certificate '"
                + subject(cert)
                + "' expired at "
                + cert.getNotAfter().toInstant()
                + " (checked at "
                + at
                + ")");
      }
    }
  }

  /** The leaf rules: not a CA, critical keyUsage with digitalSignature only, a fitting EKU. */
  public static void checkLeaf(X509Certificate cert, Purpose purpose) {
    if (cert.getBasicConstraints() >= 0) {
      throw new CertificateChainException(
          "signing certificate '" + subject(cert) + "' is a CA certificate");
    }
    boolean[] ku = cert.getKeyUsage();
    if (ku == null || !isCritical(cert, KEY_USAGE)) {
      throw new CertificateChainException(
          "certificate '" + subject(cert) + "' must have a critical keyUsage extension");
    }
    if (!bit(ku, DIGITAL_SIGNATURE)) {
      throw new CertificateChainException(
          "certificate '" + subject(cert) + "' keyUsage lacks digitalSignature");
    }
    for (int forbidden : FORBIDDEN_LEAF_BITS) {
      if (bit(ku, forbidden)) {
        throw new CertificateChainException(
            "certificate '"
                + subject(cert)
                + "' keyUsage allows more than signing (bit "
                + forbidden
                + ")");
      }
    }
    List<String> eku = extendedKeyUsage(cert);
    if (eku != null) {
      Set<String> forbidden =
          purpose == Purpose.CODE_SIGNING
              ? Set.of(EKU_ANY, EKU_SERVER_AUTH, EKU_CLIENT_AUTH, EKU_EMAIL, EKU_TIME_STAMPING)
              : Set.of(EKU_ANY, EKU_SERVER_AUTH, EKU_CLIENT_AUTH, EKU_EMAIL, EKU_CODE_SIGNING);
      for (String usage : eku) {
        if (forbidden.contains(usage)) {
          throw new CertificateChainException(
              "certificate '"
                  + subject(cert)
                  + "' extendedKeyUsage "
                  + usage
                  + " is not allowed for "
                  + (purpose == Purpose.CODE_SIGNING ? "code signing" : "time stamping"));
        }
      }
    }
    if (purpose == Purpose.TIME_STAMPING && (eku == null || !eku.contains(EKU_TIME_STAMPING))) {
      throw new CertificateChainException(
          "time-stamping certificate '" + subject(cert) + "' lacks extendedKeyUsage timeStamping");
    }
    checkKeyLength(cert);
  }

  /**
   * The CA rules: critical basicConstraints with cA, critical keyUsage with keyCertSign, and a path
   * length constraint (if any) that allows the {@code casBelow} CA certificates beneath it.
   */
  public static void checkCa(X509Certificate cert, int casBelow) {
    int pathLen = cert.getBasicConstraints();
    if (pathLen < 0 || !isCritical(cert, BASIC_CONSTRAINTS)) {
      throw new CertificateChainException(
          "CA certificate '"
              + subject(cert)
              + "' must have a critical basicConstraints extension with cA=true");
    }
    boolean[] ku = cert.getKeyUsage();
    if (ku == null || !isCritical(cert, KEY_USAGE) || !bit(ku, KEY_CERT_SIGN)) {
      throw new CertificateChainException(
          "CA certificate '" + subject(cert) + "' must have a critical keyUsage with keyCertSign");
    }
    if (pathLen < casBelow) {
      throw new CertificateChainException(
          "CA certificate '"
              + subject(cert)
              + "' allows a path length of "
              + pathLen
              + " but "
              + casBelow
              + " CA certificate(s) follow it");
    }
  }

  /** True when {@code issuer} names and signed {@code cert}. */
  public static boolean isIssuedBy(X509Certificate cert, X509Certificate issuer) {
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static String subject(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName();
  }

  private static void checkKeyLength(X509Certificate cert) {
    PublicKey key = cert.getPublicKey();
    if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
      throw new CertificateChainException(
          "certificate '" + subject(cert) + "' has an RSA key shorter than 2048 bits");
    }
    if (key instanceof ECPublicKey ec && ec.getParams().getOrder().bitLength() < 256) {
      throw new CertificateChainException(
          "certificate '" + subject(cert) + "' has an EC key shorter than 256 bits");
    }
  }

  private static List<String> extendedKeyUsage(X509Certificate cert) {
    try {
      return cert.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new CertificateChainException(
          "certificate '" + subject(cert) + "' has a malformed extendedKeyUsage");
    }
  }

  private static boolean isCritical(X509Certificate cert, String oid) {
    Set<String> critical = cert.getCriticalExtensionOIDs();
    return critical != null && critical.contains(oid);
  }

  private static boolean bit(boolean[] bits, int index) {
    return index < bits.length && bits[index];
  }
}
