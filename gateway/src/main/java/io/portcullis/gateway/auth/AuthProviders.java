package io.portcullis.gateway.auth;

import io.portcullis.gateway.config.OidcConfig;
import io.portcullis.gateway.config.RobotsConfig;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * Builds the credential sources that live outside this package's core: robot accounts ({@code
 * auth.robots}), OIDC issuers ({@code auth.oidc}) and the fleet's failed-login counts. {@code
 * Gateway} passes the implementation of this build: {@link #standard(Vertx)} on a single node, the
 * shared state's on replicas.
 */
public interface AuthProviders {

  /** A robot store: logins and tokens ({@code verifier}), and the admin API's {@code accounts}. */
  record Robots(CredentialVerifier verifier, RobotAccounts accounts) {}

  /** The robot store for {@code config}; blocking set-up is allowed (called before listening). */
  Robots robots(RobotsConfig config, AccessPolicy policy);

  /** The exchanger for the trusted issuers (in config order; never called with none). */
  IdTokenExchanger oidc(List<OidcConfig> configs, AccessPolicy policy);

  /**
   * The token signing key every replica shares, used unless {@code auth.tokenKeyFile} is written;
   * empty on a single node (the key file in {@code dataDir}).
   */
  default Optional<TokenKey> tokenKey() {
    return Optional.empty();
  }

  /** The failed-login counts shared with other replicas; empty on a single node. */
  default Optional<FailedLogins.Ledger> failedLogins() {
    return Optional.empty();
  }

  /**
   * The providers of a single node: robots from {@link RobotStore#open(RobotsConfig)}, ID tokens
   * checked by {@link OidcExchanger#forIssuers(List)}, failed logins counted here alone.
   */
  static AuthProviders standard(Vertx vertx) {
    return new AuthProviders() {
      @Override
      public Robots robots(RobotsConfig config, AccessPolicy policy) {
        RobotStore store = RobotStore.open(config);
        return new Robots(store, new RobotFileAccounts(vertx, store));
      }

      @Override
      public IdTokenExchanger oidc(List<OidcConfig> configs, AccessPolicy policy) {
        return OidcExchanger.forIssuers(configs);
      }
    };
  }
}
