package io.portcullis.gateway.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One trusted OIDC issuer of {@code auth.oidc} (a CI system): ID tokens must carry this {@code iss}
 * and {@code audience}; their keys come from {@code jwksFile} or {@code jwksUrl} (when neither is
 * set, from the issuer's discovery document); {@code rules} map claims to roles.
 */
public record OidcConfig(
    String issuer,
    String audience,
    Optional<Path> jwksFile,
    Optional<URI> jwksUrl,
    List<OidcRule> rules) {
  public OidcConfig {
    rules = List.copyOf(rules);
  }
}
