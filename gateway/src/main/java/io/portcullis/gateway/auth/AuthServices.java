package io.portcullis.gateway.auth;

import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.enforce.AuditLog;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Everything the HTTP layer needs to authenticate and authorize, built once at start-up. */
public record AuthServices(
    AuthConfig config,
    AccessPolicy policy,
    Authenticator authenticator,
    TokenService tokens,
    AccessAudit audit,
    Quotas quotas,
    FailedLogins failedLogins) {

  /** Loads the token key (creating it when absent) and the credential sources. Blocking. */
  public static AuthServices start(
      AuthConfig config, Optional<AuditLog> auditLog, AuthProviders providers) throws IOException {
    AccessPolicy policy = new AccessPolicy(config);
    Optional<HtpasswdVerifier> users =
        config.htpasswdFile().map(f -> HtpasswdVerifier.load(f, policy));
    Optional<CredentialVerifier> robots = config.robots().map(r -> providers.robots(r, policy));
    List<IdTokenExchanger> oidc =
        config.oidc().isEmpty() ? List.of() : List.of(providers.oidc(config.oidc(), policy));
    TokenKey key = TokenKey.loadOrCreate(config.tokenKeyFile());
    TokenService tokens =
        new TokenService(key, config.tokenTtl(), config.refreshTokenTtl(), Clock.systemUTC());
    return new AuthServices(
        config,
        policy,
        new Authenticator(users, robots, oidc),
        tokens,
        new AccessAudit(auditLog),
        new Quotas(config.quotas()),
        new FailedLogins(config.failedLogins()));
  }
}
