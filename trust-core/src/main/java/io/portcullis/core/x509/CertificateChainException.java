package io.portcullis.core.x509;

/**
 * A certificate, chain or trust store that does not meet the Notary Project <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#certificate-requirements">certificate
 * requirements</a> or does not lead to a trusted certificate. The message is one line a person can
 * act on.
 */
public final class CertificateChainException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CertificateChainException(String message) {
    super(message);
  }
}
