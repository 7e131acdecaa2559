package io.portcullis.gateway.auth;

import io.portcullis.gateway.config.OidcRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps the claims of a verified ID token to roles. A rule matches when every claim it lists is
 * present and equal to its value; values may hold globs, with the repository-glob meaning: {@code
 * *} is any run of characters without {@code /}, {@code **} any run including {@code /} (so {@code
 * refs/heads/*} matches {@code refs/heads/main} but not {@code refs/heads/feat/x}). String, number
 * and boolean claims are compared by their text; arrays and objects never match. The roles of all
 * matching rules are granted; no match means no roles.
 */
public final class OidcClaimRules {
  private final List<CompiledRule> rules;

  private record CompiledRule(Map<String, Pattern> claims, List<String> roles) {}

  public OidcClaimRules(List<OidcRule> rules) {
    List<CompiledRule> compiled = new ArrayList<>();
    for (OidcRule rule : rules) {
      if (rule.claims().isEmpty()) {
        // a rule without claims would let every token of the issuer in
        throw new IllegalArgumentException("an OIDC rule must list at least one claim");
      }
      Map<String, Pattern> claims = new HashMap<>();
      rule.claims().forEach((name, value) -> claims.put(name, glob(value)));
      compiled.add(new CompiledRule(Map.copyOf(claims), rule.roles()));
    }
    this.rules = List.copyOf(compiled);
  }

  /** The roles the rules grant to a token with {@code claims}, in rule order, each once. */
  public List<String> roles(Map<String, Object> claims) {
    Set<String> roles = new LinkedHashSet<>();
    for (CompiledRule rule : rules) {
      if (rule.claims().entrySet().stream()
          .allMatch(e -> matches(e.getValue(), claims.get(e.getKey())))) {
        roles.addAll(rule.roles());
      }
    }
    return List.copyOf(roles);
  }

  private static boolean matches(Pattern pattern, Object value) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return pattern.matcher(value.toString()).matches();
    }
    return false;
  }

  static Pattern glob(String value) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      if (value.startsWith("**", i)) {
        regex.append(".*");
        i += 2;
      } else if (value.charAt(i) == '*') {
        regex.append("[^/]*");
        i++;
      } else {
        int next = value.indexOf('*', i);
        int end = next < 0 ? value.length() : next;
        regex.append(Pattern.quote(value.substring(i, end)));
        i = end;
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
