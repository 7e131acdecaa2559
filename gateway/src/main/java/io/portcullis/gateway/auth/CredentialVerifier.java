package io.portcullis.gateway.auth;

import java.util.Optional;

/**
 * Checks a username/secret pair. Blocking (bcrypt and the like are slow by design): callers run it
 * on a worker thread. An empty result means the pair is not accepted; it never says which half was
 * wrong.
 */
public interface CredentialVerifier {
  Optional<Identity> verify(String username, char[] secret);

  /**
   * The identity of {@code username} as it is now, when the account is still active: for tokens
   * issued to it earlier, so a revoked or expired account loses them at once. From memory only (no
   * I/O, safe on an event loop); empty when unknown, revoked or expired.
   */
  default Optional<Identity> current(String username) {
    return Optional.empty();
  }

  /** Picks up changes made elsewhere (another process); blocking, called from a worker thread. */
  default void refresh() {}
}
