package io.portcullis.core.cosign;

/** A signed payload or signature document that does not have the required shape; one line. */
public final class InvalidPayloadException extends IllegalArgumentException {
  public InvalidPayloadException(String message) {
    super(message);
  }
}
