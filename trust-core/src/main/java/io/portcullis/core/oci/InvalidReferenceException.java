package io.portcullis.core.oci;

/** Thrown by the validating factories of the OCI value types when their input is malformed. */
public class InvalidReferenceException extends IllegalArgumentException {
  public InvalidReferenceException(String message) {
    super(message);
  }
}
