package io.portcullis.signer;

/** A mistake in how the command was invoked; exits with {@link ExitCodes#USAGE}. */
public class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
