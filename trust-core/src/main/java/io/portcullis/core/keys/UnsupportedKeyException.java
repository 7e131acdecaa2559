package io.portcullis.core.keys;

/** A key or key/algorithm pairing no verifier or signer here handles; says what is supported. */
public final class UnsupportedKeyException extends KeyFormatException {
  public UnsupportedKeyException(String what) {
    super(what + "; supported algorithms: " + SignatureAlgorithm.supportedList());
  }
}
