package io.portcullis.gateway.auth;

/**
 * The store of robot accounts cannot be reached (the shared state is down): a login that could not
 * be checked because its robot is not known to this replica, or a robot change that could not be
 * made. "Could not verify", kept apart from "verification failed": the client gets 503 and may
 * retry, a login is not counted against its name, and nothing is ever allowed by default. The
 * message says what is unavailable, never a secret.
 */
public final class AccountsUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AccountsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
