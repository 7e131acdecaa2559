package io.portcullis.signer;

/**
 * Content was checked and found wrong (a signed digest that does not match, say); exits with {@link
 * ExitCodes#VERIFICATION_FAILED}. Commands that check several signatures report each and return the
 * code themselves instead.
 */
public class VerificationFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public VerificationFailedException(String message) {
    super(message);
  }
}
