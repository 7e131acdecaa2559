package io.portcullis.core.sigstore;

/** A Sigstore document (bundle or trusted root) that does not parse or is not well formed. */
public final class SigstoreFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public SigstoreFormatException(String message) {
    super(message);
  }
}
