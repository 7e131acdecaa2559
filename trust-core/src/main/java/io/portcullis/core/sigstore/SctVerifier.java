package io.portcullis.core.sigstore;

import java.security.cert.X509Certificate;

/**
 * Verifies the <a href="https://www.rfc-editor.org/rfc/rfc6962#section-3.3">embedded signed
 * certificate timestamps</a> of a Fulcio leaf against the trusted root's CT logs: the
 * precertificate TBS is rebuilt (the SCT extension removed, the issuer key hash from {@code
 * issuer}) and the SCT signature checked under the CT log named by its log id, valid at the SCT's
 * time.
 */
public final class SctVerifier {
  private SctVerifier() {}

  /** Passes when at least one embedded SCT verifies; otherwise says why none did. */
  public static void verify(X509Certificate leaf, X509Certificate issuer, TrustedRoot root)
      throws SigstoreVerificationException {
    throw new UnsupportedOperationException("issue 13: SctVerifier.verify");
  }
}
