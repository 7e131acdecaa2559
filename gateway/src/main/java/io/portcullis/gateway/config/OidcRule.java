package io.portcullis.gateway.config;

import java.util.List;
import java.util.Map;

/**
 * One rule of an {@code auth.oidc} entry: an ID token whose claims equal all of {@code claims} gets
 * {@code roles} (names of {@code auth.roles}, checked at load).
 */
public record OidcRule(Map<String, String> claims, List<String> roles) {
  public OidcRule {
    claims = Map.copyOf(claims);
    roles = List.copyOf(roles);
  }
}
