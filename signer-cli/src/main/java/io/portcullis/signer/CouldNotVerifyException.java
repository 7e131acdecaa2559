package io.portcullis.signer;

import io.portcullis.core.registry.RegistryException;

/**
 * The registry answered, but with something that cannot be vetted as a whole (an index over the
 * platform limit, a nested index, a manifest without a config): nothing was concluded, so it exits
 * with {@link ExitCodes#COULD_NOT_VERIFY}, as the gateway answers {@code 503} for the same image: a
 * {@link RegistryException}, whose message is shown as it is.
 */
public class CouldNotVerifyException extends RegistryException {

  private static final long serialVersionUID = 1L;

  public CouldNotVerifyException(String message) {
    super(message);
  }
}
