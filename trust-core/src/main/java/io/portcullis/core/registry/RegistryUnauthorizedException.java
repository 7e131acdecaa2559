package io.portcullis.core.registry;

/**
 * The registry refused access (401 or 403) even after the client answered its challenge, or the
 * token service refused the credentials.
 */
public class RegistryUnauthorizedException extends RegistryException {

  private static final long serialVersionUID = 1L;

  public RegistryUnauthorizedException(String message) {
    super(message);
  }
}
