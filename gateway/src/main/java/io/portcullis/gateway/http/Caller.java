package io.portcullis.gateway.http;

import io.portcullis.gateway.auth.AccessToken;
import io.portcullis.gateway.auth.Identity;
import java.util.Optional;

/**
 * Who sent a request once access control has let it through: no identity on an open gateway, the
 * identity and, for bearer requests, the token's grants otherwise; {@code requestId} is the id the
 * {@link RequestObserver} gave the request, for audit records.
 */
record Caller(
    String address, String requestId, Optional<Identity> identity, Optional<AccessToken> token) {

  static Caller open(String address, String requestId) {
    return new Caller(address, requestId, Optional.empty(), Optional.empty());
  }

  /** The audit records' {@code client}: {@code subject@address} when known. */
  String label() {
    return identity.map(i -> i.subject() + "@" + address).orElse(address);
  }
}
