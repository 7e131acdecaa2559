package io.portcullis.gateway.auth;

/**
 * A robot with this name exists already: names are never reused (a revoked or expired robot keeps
 * its name, so a log line always names one account). An {@link IllegalArgumentException}, as the
 * CLI reports every refused value.
 */
public final class RobotExistsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public RobotExistsException(String name) {
    super("robot '" + name + "' already exists; choose another name");
  }
}
