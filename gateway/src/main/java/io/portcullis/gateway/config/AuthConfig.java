package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code auth:} section: the gateway's own token service and who may do what. Absent, the
 * gateway is open to everyone as before. Read and validated by {@link AuthConfigReader}.
 *
 * @param tokenKeyFile the ES256 signing key (PEM), created with mode 0600 when absent
 * @param tokenKeyFileSet whether {@code auth.tokenKeyFile} was written: when it was not, replicas
 *     with shared state sign with a key shared in the database instead (docs/state.md)
 * @param tokenTtl lifetime of access tokens
 * @param refreshTokenTtl lifetime of refresh tokens (issued for {@code access_type=offline})
 * @param htpasswdFile bcrypt users, when configured
 * @param anonymous what clients without credentials may do; empty for nothing
 * @param roles role name to its rules
 * @param users user name to role names
 * @param robots robot accounts, when configured
 * @param oidc trusted OIDC issuers, in order
 * @param quotas per-identity request-rate and concurrent-transfer limits ({@link QuotaConfig#NONE}
 *     when not configured)
 * @param failedLogins limits on failed logins per client address and per user name (always on;
 *     {@link FailedLoginConfig#DEFAULTS} unless configured)
 */
public record AuthConfig(
    Path tokenKeyFile,
    Duration tokenTtl,
    Duration refreshTokenTtl,
    Optional<Path> htpasswdFile,
    List<AccessRule> anonymous,
    Map<String, List<AccessRule>> roles,
    Map<String, List<String>> users,
    Optional<RobotsConfig> robots,
    List<OidcConfig> oidc,
    QuotaConfig quotas,
    FailedLoginConfig failedLogins,
    boolean tokenKeyFileSet) {

  public AuthConfig {
    anonymous = List.copyOf(anonymous);
    roles = Map.copyOf(roles);
    users = Map.copyOf(users);
    oidc = List.copyOf(oidc);
  }
}
