package io.portcullis.signer;

/**
 * The registry answered, but with something that cannot be vetted as a whole (an index over the
 * platform limit, a nested index, a manifest without a config): nothing was concluded, so it exits
 * with {@link ExitCodes#COULD_NOT_VERIFY}, as the gateway answers {@code 503} for the same image.
 */
public class CouldNotVerifyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CouldNotVerifyException(String message) {
    super(message);
  }
}
