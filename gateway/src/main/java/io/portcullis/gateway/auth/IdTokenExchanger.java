package io.portcullis.gateway.auth;

import java.util.Optional;

/**
 * Exchanges a CI job's OIDC ID token for an identity. Blocking (JWKS fetch, signature check):
 * callers run it on a worker thread. Empty when the token is not accepted by this exchanger.
 */
public interface IdTokenExchanger {
  Optional<Identity> exchange(String idToken);
}
