package io.portcullis.gateway.state;

import io.portcullis.gateway.auth.AccessPolicy;
import io.portcullis.gateway.auth.AuthProviders;
import io.portcullis.gateway.auth.FailedLogins;
import io.portcullis.gateway.auth.IdTokenExchanger;
import io.portcullis.gateway.config.OidcConfig;
import io.portcullis.gateway.config.RobotsConfig;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * The credential sources of a replica with shared state: robots from {@code robots} (the shared
 * state's, opened before the gateway listens), failed-login counts shared through {@code state};
 * OIDC as on a single node.
 */
public final class FleetAuthProviders implements AuthProviders {
  private final AuthProviders local;
  private final PostgresState state;
  private final Optional<SharedRobotStore> robots;

  public FleetAuthProviders(Vertx vertx, PostgresState state, Optional<SharedRobotStore> robots) {
    this.local = AuthProviders.standard(vertx);
    this.state = state;
    this.robots = robots;
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
