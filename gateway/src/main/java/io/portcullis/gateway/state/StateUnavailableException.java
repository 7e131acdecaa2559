package io.portcullis.gateway.state;

/**
 * The shared state could not be read or written: the database is down, unreachable, refused the
 * login, or did not answer in time. Callers fail closed on it (a 503 with a clear message, never an
 * allow), and try again on the next request: the pool reconnects by itself.
 */
public final class StateUnavailableException extends RuntimeException {
  public StateUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
