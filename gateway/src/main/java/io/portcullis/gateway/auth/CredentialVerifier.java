package io.portcullis.gateway.auth;

import java.util.Optional;

/**
 * Checks a username/secret pair. Blocking (bcrypt and the like are slow by design): callers run it
 * on a worker thread. An empty result means the pair is not accepted; it never says which half was
 * wrong.
 */
public interface CredentialVerifier {
  Optional<Identity> verify(String username, char[] secret);
}
