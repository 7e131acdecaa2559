package io.portcullis.gateway.state;

import io.portcullis.gateway.auth.AccessPolicy;
import io.portcullis.gateway.auth.AuthProviders;
import io.portcullis.gateway.auth.FailedLogins;
import io.portcullis.gateway.auth.IdTokenExchanger;
import io.portcullis.gateway.auth.TokenKey;
import io.portcullis.gateway.config.OidcConfig;
import io.portcullis.gateway.config.RobotsConfig;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * The credential sources of a replica with shared state: robots from {@code robots} (the shared
 * state's, opened before the gateway listens), failed-login counts shared through {@code state},
 * the token signing key derived from a key shared in the database (so a token from one replica is
 * good on all, as a load balancer needs); OIDC as on a single node.
 */
public final class FleetAuthProviders implements AuthProviders {
  private final AuthProviders local;
  private final PostgresState state;
  private final Optional<SharedRobotStore> robots;
  private final TokenKey tokenKey;

  /** {@code tokenSeed}: the shared key {@value #TOKEN_KEY} ({@link SharedKeys#key}). */
  public FleetAuthProviders(
      Vertx vertx, PostgresState state, Optional<SharedRobotStore> robots, byte[] tokenSeed) {
    this.local = AuthProviders.standard(vertx);
    this.state = state;
    this.robots = robots;
    this.tokenKey = TokenKey.fromSeed(tokenSeed);
  }

  /** The name of the shared key the token signing key is derived from. */
  public static final String TOKEN_KEY = "token-signing";

  @Override
  public Optional<TokenKey> tokenKey() {
    return Optional.of(tokenKey);
  }

  @Override
  public Robots robots(RobotsConfig config, AccessPolicy policy) {
    if (!config.shared()) {
      // the config loader refuses a robots file beside state; this is the last guard
      throw new IllegalStateException("robots file with shared state: " + config.describe());
    }
    SharedRobotStore store = robots.orElseThrow();
    return new Robots(store, store);
  }

  @Override
  public IdTokenExchanger oidc(List<OidcConfig> configs, AccessPolicy policy) {
    return local.oidc(configs, policy);
  }

  @Override
  public Optional<FailedLogins.Ledger> failedLogins() {
    return Optional.of(state.failedLogins().ledger());
  }
}
