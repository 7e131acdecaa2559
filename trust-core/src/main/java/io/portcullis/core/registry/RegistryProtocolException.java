package io.portcullis.core.registry;

/**
 * The registry answered, but not as the distribution spec says it should: an unexpected status, a
 * body over its size cap, or content whose digest differs from the one asked for.
 */
public class RegistryProtocolException extends RegistryException {

  private static final long serialVersionUID = 1L;

  public RegistryProtocolException(String message) {
    super(message);
  }
}
