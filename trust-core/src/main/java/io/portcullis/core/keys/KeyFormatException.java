package io.portcullis.core.keys;

/**
 * Key, certificate or signature input that cannot be used: malformed PEM, an unsupported algorithm,
 * a refused parameter. Messages are one line, name what was wrong and never carry key material or
 * passwords.
 */
public class KeyFormatException extends IllegalArgumentException {
  public KeyFormatException(String message) {
    super(message);
  }

  public KeyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
