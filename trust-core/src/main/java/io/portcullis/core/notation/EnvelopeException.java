package io.portcullis.core.notation;

/**
 * A signature envelope that cannot be parsed or breaks the envelope rules of the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#signature-envelope">signature
 * specification</a>. The message is one line; it never quotes key material.
 */
public final class EnvelopeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EnvelopeException(String message) {
    super(message);
  }
}
