package io.portcullis.core.registry;

/**
 * A registry operation failed. The subclasses say how, so callers can map them (the CLI maps every
 * one of them to "could not verify", exit 3, and keeps "verification failed" for real mismatches).
 */
public class RegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
