package io.portcullis.gateway.auth;

import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.enforce.AuditLog;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Everything the HTTP layer needs to authenticate and authorize, built once at start-up.
 *
 * @param robots the robot store's accounts for the robots admin API, when robots are configured
 * @param fleet this replica's share of fleet-wide limits, refreshed by the gateway
 */
public record AuthServices(
    AuthConfig config,
    AccessPolicy policy,
    Authenticator authenticator,
    TokenService tokens,
    AccessAudit audit,
    Quotas quotas,
    FailedLogins failedLogins,
    Optional<RobotAccounts> robots,
    FleetShare fleet) {

  /**
   * Loads the token key (the replicas' shared one when there is one and {@code auth.tokenKeyFile}
   * is not written, else the file, created when absent) and the credential sources. Blocking.
   */
  public static AuthServices start(
      AuthConfig config, Optional<AuditLog> auditLog, AuthProviders providers) throws IOException {
    AccessPolicy policy = new AccessPolicy(config);
    Optional<HtpasswdVerifier> users =
        config.htpasswdFile().map(f -> HtpasswdVerifier.load(f, policy));
    Optional<AuthProviders.Robots> robots = config.robots().map(r -> providers.robots(r, policy));
    List<IdTokenExchanger> oidc =
        config.oidc().isEmpty() ? List.of() : List.of(providers.oidc(config.oidc(), policy));
    Optional<TokenKey> shared = config.tokenKeyFileSet() ? Optional.empty() : providers.tokenKey();
    TokenKey key = shared.isPresent() ? shared.get() : TokenKey.loadOrCreate(config.tokenKeyFile());
    TokenService tokens =
        new TokenService(key, config.tokenTtl(), config.refreshTokenTtl(), Clock.systemUTC());
    FleetShare fleet = new FleetShare();
    return new AuthServices(
        config,
        policy,
        new Authenticator(users, robots.map(AuthProviders.Robots::verifier), oidc),
        tokens,
        new AccessAudit(auditLog),
        new Quotas(config.quotas(), fleet),
        new FailedLogins(config.failedLogins(), providers.failedLogins(), fleet),
        robots.map(AuthProviders.Robots::accounts),
        fleet);
  }
}
