package io.portcullis.core.registry;

/** The registry answered 404: the repository, manifest or blob does not exist there. */
public class RegistryNotFoundException extends RegistryException {

  private static final long serialVersionUID = 1L;

  public RegistryNotFoundException(String message) {
    super(message);
  }
}
