package io.portcullis.gateway.auth;

/**
 * A login that could not be checked because the store of its account cannot be reached (the shared
 * state is down and the account is not known to this replica): "could not verify", kept apart from
 * "verification failed" so the client gets 503 and may retry, and the failure is not counted
 * against the name. Never an allow. The message says what is unavailable, never a secret.
 */
public final class CredentialsUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CredentialsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
