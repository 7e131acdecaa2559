package io.portcullis.core.keys;

/**
 * The secretbox authenticator did not match: the password is wrong or the ciphertext was altered.
 * The two cannot be told apart, by design of authenticated encryption, so the message says both.
 */
public final class WrongPasswordException extends KeyFormatException {
  public WrongPasswordException() {
    super("wrong password or corrupted key");
  }
}
