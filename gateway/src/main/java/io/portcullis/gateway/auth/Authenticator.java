package io.portcullis.gateway.auth;

import java.util.List;
import java.util.Optional;

/**
 * Routes a user name and secret to the source that owns the name: {@code robot$...} to the robot
 * store, {@value #OIDC_USER} (whose password is a CI job's OIDC ID token) to the OIDC exchangers in
 * order, anything else to htpasswd. A name whose source is not configured is refused. Blocking.
 */
public final class Authenticator {
  /** The user name that carries an OIDC ID token as its password. */
  public static final String OIDC_USER = "oidc";

  /** Robot login names are {@code robot$<name>}, as Harbor and Quay spell theirs. */
  public static final String ROBOT_PREFIX = "robot$";

  private final Optional<HtpasswdVerifier> users;
  private final Optional<CredentialVerifier> robots;
  private final List<IdTokenExchanger> oidc;

  public Authenticator(
      Optional<HtpasswdVerifier> users,
      Optional<CredentialVerifier> robots,
      List<IdTokenExchanger> oidc) {
    this.users = users;
    this.robots = robots;
    this.oidc = List.copyOf(oidc);
  }

  /** The identity for this pair, or empty; never says which half was wrong. */
  public Optional<Identity> verify(String username, char[] secret) {
    if (username == null || username.isEmpty() || secret == null) {
      return Optional.empty();
    }
    if (username.startsWith(ROBOT_PREFIX)) {
      return robots.flatMap(r -> r.verify(username, secret));
    }
    if (username.equals(OIDC_USER)) {
      String idToken = new String(secret);
      for (IdTokenExchanger exchanger : oidc) {
        Optional<Identity> id = exchanger.exchange(idToken);
        if (id.isPresent()) {
          return id;
        }
      }
      return Optional.empty();
    }
    return users.flatMap(u -> u.verify(username, secret));
  }

  /**
   * Whether an identity from a refresh token may still be trusted: an htpasswd user must still be
   * in the file (its roles are taken from the current config by the caller), a robot must still be
   * active ({@link #current}).
   */
  public boolean stillKnown(Identity identity) {
    return switch (identity.kind()) {
      case USER -> users.map(u -> u.exists(identity.subject())).orElse(false);
      case ROBOT -> current(identity).isPresent();
      case OIDC -> !oidc.isEmpty();
      case ANONYMOUS -> false;
    };
  }

  /**
   * The identity as it stands now for one carried by a token: a robot's from the robot store (empty
   * once it is revoked or expired, its current roles and scopes otherwise); any other identity as
   * it is. No I/O: safe on an event loop.
   */
  public Optional<Identity> current(Identity identity) {
    if (identity.kind() != Identity.Kind.ROBOT) {
      return Optional.of(identity);
    }
    return robots.flatMap(r -> r.current(identity.subject()));
  }

  /** Picks up changes to the robots file; blocking, for a periodic worker task. */
  public void refresh() {
    robots.ifPresent(CredentialVerifier::refresh);
  }
}
