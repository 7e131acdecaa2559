package io.portcullis.gateway.auth;

/** The robots file exists but cannot be used; the message names the file and the entry. */
public final class InvalidRobotFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidRobotFileException(String message) {
    super(message);
  }
}
