package io.portcullis.gateway.config;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import io.portcullis.core.policy.ScopePattern;
import io.portcullis.gateway.config.AccessRule.Action;
import io.portcullis.gateway.config.AccessRule.Effect;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Validates the {@code auth:} section into an {@link AuthConfig}; errors name the key. */
final class AuthConfigReader {
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private AuthConfigReader() {}

  /** The YAML shape of {@code auth:}. */
  record AuthSection(
      String tokenKeyFile,
      String tokenTtl,
      String refreshTokenTtl,
      String htpasswdFile,
      List<RuleSection> anonymous,
      Map<String, List<RuleSection>> roles,
      Map<String, List<String>> users,
      RobotsSection robots,
      List<OidcSection> oidc,
      QuotaSection quotas) {}

  record QuotaSection(
      Double requestsPerSecond,
      Integer burst,
      Integer concurrentTransfers,
      Map<String, LimitsSection> roles,
      Map<String, LimitsSection> users,
      FailedLoginsSection failedLogins) {}

  record FailedLoginsSection(Integer perAddress, Integer perUser, String window) {}

  record LimitsSection(Double requestsPerSecond, Integer burst, Integer concurrentTransfers) {}

  record RuleSection(List<String> repositories, List<String> actions, String effect) {}

  record RobotsSection(String file, String store) {}

  record OidcSection(
      String issuer,
      String audience,
      String jwksFile,
      String jwksUrl,
      List<OidcRuleSection> rules) {}

  record OidcRuleSection(Map<String, String> claims, List<String> roles) {}

  static AuthConfig read(AuthSection a, Path dataDir) {
    Path keyFile =
        a.tokenKeyFile() == null ? dataDir.resolve("token-key.pem") : Path.of(a.tokenKeyFile());
    checkKeyFile(keyFile);
    Duration ttl = ttl(a.tokenTtl(), "auth.tokenTtl", Duration.ofMinutes(5));
    Duration refreshTtl = ttl(a.refreshTokenTtl(), "auth.refreshTokenTtl", Duration.ofHours(24));
    Optional<Path> htpasswd = Optional.ofNullable(a.htpasswdFile()).map(Path::of);
    Map<String, String> htUsers =
        htpasswd.map(p -> Htpasswd.read(p, "auth.htpasswdFile")).orElse(Map.of());

    Map<String, List<AccessRule>> roles = new LinkedHashMap<>();
    if (a.roles() != null) {
      for (Map.Entry<String, List<RuleSection>> e : a.roles().entrySet()) {
        String key = "auth.roles." + e.getKey();
        if (!ROLE.matcher(e.getKey()).matches()) {
          throw new ConfigException(key + ": a role name is letters, digits, '_', '.' and '-'");
        }
        roles.put(e.getKey(), rules(e.getValue(), key));
      }
    }
    List<AccessRule> anonymous =
        a.anonymous() == null ? List.of() : rules(a.anonymous(), "auth.anonymous");

    Map<String, List<String>> users = new LinkedHashMap<>();
    if (a.users() != null) {
      if (htpasswd.isEmpty() && !a.users().isEmpty()) {
        throw new ConfigException(
            "auth.users: needs auth.htpasswdFile, which holds their passwords");
      }
      for (Map.Entry<String, List<String>> e : a.users().entrySet()) {
        String key = "auth.users." + e.getKey();
        if (!htUsers.containsKey(e.getKey())) {
          throw new ConfigException(key + ": no such user in " + htpasswd.get());
        }
        users.put(e.getKey(), roleNames(e.getValue(), roles, key));
      }
    }
    for (String user : htUsers.keySet()) {
      if (user.startsWith("robot$") || user.equals(OIDC_USER)) {
        throw new ConfigException(
            "auth.htpasswdFile: user '"
                + user
                + "' is reserved ("
                + "'robot$...' names robots, '"
                + OIDC_USER
                + "' carries OIDC ID tokens)");
      }
    }
    Optional<RobotsConfig> robots =
        Optional.ofNullable(a.robots())
            .map(
                r -> {
                  if (r.file() != null && r.store() != null) {
                    throw new ConfigException(
                        "auth.robots: set file (a robots file, one node) or store: state (shared"
                            + " by every replica), not both");
                  }
                  if (r.store() != null) {
                    if (!r.store().equals("state")) {
                      throw new ConfigException(
                          "auth.robots.store: '"
                              + r.store()
                              + "' is not a store; the only one is 'state' (PostgreSQL)");
                    }
                    return RobotsConfig.SHARED;
                  }
                  if (r.file() == null) {
                    throw new ConfigException(
                        "auth.robots: needs file (a robots file) or store: state");
                  }
                  return new RobotsConfig(Path.of(r.file()));
                });
    List<OidcConfig> oidc = new ArrayList<>();
    if (a.oidc() != null) {
      for (int i = 0; i < a.oidc().size(); i++) {
        oidc.add(oidc(a.oidc().get(i), "auth.oidc[" + i + "]", roles));
      }
    }
    QuotaConfig quotas = a.quotas() == null ? QuotaConfig.NONE : quotas(a.quotas(), roles);
    FailedLoginConfig failedLogins =
        a.quotas() == null || a.quotas().failedLogins() == null
            ? FailedLoginConfig.DEFAULTS
            : failedLogins(a.quotas().failedLogins());
    return new AuthConfig(
        keyFile,
        ttl,
        refreshTtl,
        htpasswd,
        anonymous,
        roles,
        users,
        robots,
        oidc,
        quotas,
        failedLogins,
        a.tokenKeyFile() != null);
  }

  /** Unset keys keep their defaults; the limiter cannot be switched off, only loosened. */
  private static FailedLoginConfig failedLogins(FailedLoginsSection f) {
    String key = "auth.quotas.failedLogins";
    FailedLoginConfig d = FailedLoginConfig.DEFAULTS;
    int perAddress = count(f.perAddress(), d.perAddress(), key + ".perAddress");
    int perUser = count(f.perUser(), d.perUser(), key + ".perUser");
    Duration window = d.window();
    if (f.window() != null) {
      window = Durations.parse(f.window(), key + ".window");
      if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
        throw new ConfigException(key + ".window: must be between 1s and 1d");
      }
    }
    return new FailedLoginConfig(perAddress, perUser, window);
  }

  private static int count(Integer value, int fallback, String key) {
    if (value == null) {
      return fallback;
    }
    if (value < 1 || value > 1_000_000) {
      throw new ConfigException(key + ": " + value + " must be between 1 and 1000000");
    }
    return value;
  }

  private static QuotaConfig quotas(QuotaSection q, Map<String, List<AccessRule>> roles) {
    String key = "auth.quotas";
    QuotaConfig.Limits defaults =
        limits(
            new LimitsSection(q.requestsPerSecond(), q.burst(), q.concurrentTransfers()),
            QuotaConfig.Limits.UNLIMITED,
            key);
    Map<String, QuotaConfig.Limits> byRole = new LinkedHashMap<>();
    if (q.roles() != null) {
      for (Map.Entry<String, LimitsSection> e : q.roles().entrySet()) {
        String k = key + ".roles." + e.getKey();
        if (!roles.containsKey(e.getKey())) {
          throw new ConfigException(
              k + ": unknown role '" + e.getKey() + "' (known: " + roles.keySet() + ")");
        }
        if (e.getValue() == null) {
          throw new ConfigException(
              k + ": needs at least one of requestsPerSecond, burst, concurrentTransfers");
        }
        byRole.put(e.getKey(), limits(e.getValue(), defaults, k));
      }
    }
    Map<String, QuotaConfig.Limits> byUser = new LinkedHashMap<>();
    if (q.users() != null) {
      for (Map.Entry<String, LimitsSection> e : q.users().entrySet()) {
        String k = key + ".users." + e.getKey();
        if (e.getKey().isBlank() || e.getKey().length() > 512) {
          throw new ConfigException(key + ".users: '" + e.getKey() + "' is not an identity");
        }
        if (e.getValue() == null) {
          throw new ConfigException(
              k + ": needs at least one of requestsPerSecond, burst, concurrentTransfers");
        }
        byUser.put(e.getKey(), limits(e.getValue(), defaults, k));
      }
    }
    return new QuotaConfig(defaults, byRole, byUser);
  }

  /** Limits from {@code s}; a key not set keeps its value from {@code inherited}. */
  private static QuotaConfig.Limits limits(
      LimitsSection s, QuotaConfig.Limits inherited, String key) {
    double rate = inherited.requestsPerSecond();
    if (s.requestsPerSecond() != null) {
      rate = s.requestsPerSecond();
      if (!(rate > 0) || rate > 1_000_000) {
        throw new ConfigException(
            key + ".requestsPerSecond: " + rate + " must be more than 0 (and at most 1000000)");
      }
    }
    int burst = inherited.burst();
    if (s.burst() != null) {
      burst = s.burst();
      if (burst < 1) {
        throw new ConfigException(key + ".burst: " + burst + " must be at least 1");
      }
      if (rate == Double.POSITIVE_INFINITY) {
        throw new ConfigException(key + ".burst: needs requestsPerSecond beside it");
      }
    } else if (s.requestsPerSecond() != null) {
      // Without an explicit burst, one second's worth of requests may come at once.
      burst = (int) Math.max(1, Math.ceil(rate));
    }
    int transfers = inherited.concurrentTransfers();
    if (s.concurrentTransfers() != null) {
      transfers = s.concurrentTransfers();
      if (transfers < 1) {
        throw new ConfigException(
            key + ".concurrentTransfers: " + transfers + " must be at least 1");
      }
    }
    return new QuotaConfig.Limits(rate, burst, transfers);
  }

  /** The user name whose password is an OIDC ID token (see docs/access-control.md). */
  static final String OIDC_USER = "oidc"; // the same as auth.Authenticator.OIDC_USER

  private static Duration ttl(String value, String key, Duration fallback) {
    Duration d = value == null ? fallback : Durations.parse(value, key);
    if (d.compareTo(Duration.ofSeconds(30)) < 0 || d.compareTo(Duration.ofDays(30)) > 0) {
      throw new ConfigException(key + ": must be between 30s and 30d");
    }
    return d;
  }

  private static List<AccessRule> rules(List<RuleSection> sections, String key) {
    if (sections == null) {
      throw new ConfigException(key + ": needs a list of {repositories, actions} entries");
    }
    List<AccessRule> rules = new ArrayList<>();
    for (int i = 0; i < sections.size(); i++) {
      String k = key + "[" + i + "]";
      RuleSection s = sections.get(i);
      if (s == null) {
        throw new ConfigException(k + ": empty entry");
      }
      if (s.repositories() == null || s.repositories().isEmpty()) {
        throw new ConfigException(k + ".repositories: at least one glob is required");
      }
      List<ScopePattern> globs = new ArrayList<>();
      for (int g = 0; g < s.repositories().size(); g++) {
        try {
          globs.add(ScopePattern.parse(s.repositories().get(g)));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(k + ".repositories[" + g + "]: " + e.getMessage());
        }
      }
      if (s.actions() == null || s.actions().isEmpty()) {
        throw new ConfigException(
            k + ".actions: at least one of pull, push, delete, '*' (and admin for roles)");
      }
      Set<Action> actions = EnumSet.noneOf(Action.class);
      boolean admin = false;
      for (int j = 0; j < s.actions().size(); j++) {
        String action = s.actions().get(j);
        String actionKey = k + ".actions[" + j + "]";
        if ("*".equals(action)) {
          // the repository actions only: admin is granted by name (see AccessRule.admin)
          actions.addAll(EnumSet.allOf(Action.class));
          continue;
        }
        if (AccessRule.ADMIN.equals(action)) {
          if (key.equals("auth.anonymous")) {
            throw new ConfigException(
                actionKey + ": admin (the robots API) cannot be granted to anonymous callers");
          }
          admin = true;
          continue;
        }
        actions.add(
            Action.parse(action)
                .orElseThrow(
                    () ->
                        new ConfigException(
                            actionKey
                                + ": unknown action '"
                                + action
                                + "' (pull, push, delete, '*' or admin)")));
      }
      Effect effect;
      if (s.effect() == null || s.effect().equals("allow")) {
        effect = Effect.ALLOW;
      } else if (s.effect().equals("deny")) {
        effect = Effect.DENY;
      } else {
        throw new ConfigException(k + ".effect: '" + s.effect() + "' is not allow or deny");
      }
      rules.add(new AccessRule(globs, actions, effect, admin));
    }
    return List.copyOf(rules);
  }

  private static List<String> roleNames(
      List<String> names, Map<String, List<AccessRule>> roles, String key) {
    if (names == null) {
      throw new ConfigException(key + ": needs a list of role names");
    }
    for (int i = 0; i < names.size(); i++) {
      if (!roles.containsKey(names.get(i))) {
        throw new ConfigException(
            key
                + "["
                + i
                + "]: unknown role '"
                + names.get(i)
                + "' (known: "
                + roles.keySet()
                + ")");
      }
    }
    return List.copyOf(names);
  }

  private static OidcConfig oidc(OidcSection s, String key, Map<String, List<AccessRule>> roles) {
    if (s == null) {
      throw new ConfigException(key + ": empty entry");
    }
    if (s.issuer() == null) {
      throw new ConfigException(key + ".issuer: is required");
    }
    url(s.issuer(), key + ".issuer");
    if (s.audience() == null || s.audience().isBlank()) {
      throw new ConfigException(key + ".audience: is required");
    }
    if (s.jwksFile() != null && s.jwksUrl() != null) {
      throw new ConfigException(key + ": set jwksFile or jwksUrl, not both");
    }
    Optional<Path> jwksFile = Optional.ofNullable(s.jwksFile()).map(Path::of);
    if (jwksFile.isPresent() && !Files.isReadable(jwksFile.get())) {
      throw new ConfigException(key + ".jwksFile: cannot read " + jwksFile.get());
    }
    Optional<URI> jwksUrl = Optional.ofNullable(s.jwksUrl()).map(u -> url(u, key + ".jwksUrl"));
    if (s.rules() == null || s.rules().isEmpty()) {
      throw new ConfigException(key + ".rules: at least one {claims, roles} rule is required");
    }
    List<OidcRule> rules = new ArrayList<>();
    for (int i = 0; i < s.rules().size(); i++) {
      String k = key + ".rules[" + i + "]";
      OidcRuleSection r = s.rules().get(i);
      if (r == null || r.claims() == null || r.claims().isEmpty()) {
        throw new ConfigException(k + ".claims: at least one claim to match is required");
      }
      rules.add(new OidcRule(r.claims(), roleNames(r.roles(), roles, k + ".roles")));
    }
    return new OidcConfig(s.issuer(), s.audience(), jwksFile, jwksUrl, rules);
  }

  private static URI url(String value, String key) {
    try {
      URI uri = new URI(value);
      if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          && uri.getHost() != null
          && uri.getRawUserInfo() == null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // fall through to the message below
    }
    throw new ConfigException(key + ": '" + value + "' is not an http(s) URL");
  }

  /** An existing key must be readable and an EC P-256 private key; an absent one is created. */
  private static void checkKeyFile(Path file) {
    if (!Files.exists(file)) {
      return;
    }
    String what = "auth.tokenKeyFile: " + file;
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException(what + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    try {
      JWK jwk = JWK.parseFromPEMEncodedObjects(pem);
      if (jwk instanceof ECKey ec && ec.getCurve() == Curve.P_256 && ec.isPrivate()) {
        return;
      }
    } catch (JOSEException | RuntimeException e) {
      // fall through: the content is key material and is not echoed
    }
    throw new ConfigException(
        what + " is not a PEM EC P-256 private key (delete it to have a new one made)");
  }
}
