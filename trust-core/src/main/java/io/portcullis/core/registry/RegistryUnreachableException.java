package io.portcullis.core.registry;

/**
 * The registry could not be reached or was not serving: connection refused, TLS failure, timeout,
 * or a 502/503/504 answer. Nothing can be concluded about the image.
 */
public class RegistryUnreachableException extends RegistryException {

  private static final long serialVersionUID = 1L;

  public RegistryUnreachableException(String message) {
    super(message);
  }

  public RegistryUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
