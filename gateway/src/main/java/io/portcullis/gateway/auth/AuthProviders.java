package io.portcullis.gateway.auth;

import io.portcullis.gateway.config.OidcConfig;
import io.portcullis.gateway.config.RobotsConfig;
import java.util.List;

/**
 * Builds the credential sources that live outside this package's core: robot accounts ({@code
 * auth.robots}) and OIDC issuers ({@code auth.oidc}). {@code Gateway} passes the implementation of
 * this build ({@link #standard()}).
 */
public interface AuthProviders {

  /** The robot store for {@code config}; blocking set-up is allowed (called before listening). */
  CredentialVerifier robots(RobotsConfig config, AccessPolicy policy);

  /** The exchanger for the trusted issuers (in config order; never called with none). */
  IdTokenExchanger oidc(List<OidcConfig> configs, AccessPolicy policy);

  /**
   * The providers of this build: robots from {@link RobotStore#open(RobotsConfig)}, ID tokens
   * checked by {@link OidcExchanger#forIssuers(List)}.
   */
  static AuthProviders standard() {
    return new AuthProviders() {
      @Override
      public CredentialVerifier robots(RobotsConfig config, AccessPolicy policy) {
        return RobotStore.open(config);
      }

      @Override
      public IdTokenExchanger oidc(List<OidcConfig> configs, AccessPolicy policy) {
        return OidcExchanger.forIssuers(configs);
      }
    };
  }
}
