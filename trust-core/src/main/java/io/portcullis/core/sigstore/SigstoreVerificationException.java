package io.portcullis.core.sigstore;

/**
 * A Sigstore check that failed; the message says which one and why, in words a denial can quote
 * ({@code entry SET was not valid}, {@code certificate was not valid at the logged time ...}).
 */
public final class SigstoreVerificationException extends Exception {
  private static final long serialVersionUID = 1L;

  public SigstoreVerificationException(String message) {
    super(message);
  }

  public SigstoreVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
