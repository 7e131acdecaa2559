package io.portcullis.gateway.auth;

import io.portcullis.core.policy.ScopePattern;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One robot (CI) account as kept in the robots file. The secret itself is never part of it: only
 * its bcrypt hash ({@link SecretHasher}). Validated on construction, so a record read from a file
 * that does not satisfy these rules never reaches the store.
 *
 * @param name lowercase letters, digits and {@code -}, starting with a letter or digit
 * @param roles the roles it holds (names from the {@code auth.roles} config), at least one
 * @param scopes repository globs that narrow what the roles allow ({@code *} one segment, {@code
 *     **} any depth, as {@link ScopePattern}); empty means the roles' own scopes apply
 * @param secretHash the secret's bcrypt hash in modular-crypt form ({@code $2y$10$...})
 */
public record RobotRecord(
    String name,
    List<String> roles,
    List<String> scopes,
    Instant createdAt,
    Instant expiresAt,
    boolean revoked,
    String secretHash) {

  /** Login names are {@code robot$<name>}, as Harbor and Quay spell theirs. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** What a robot's login would get right now. */
  public enum Status {
    ACTIVE,
    EXPIRED,
    REVOKED
  }

  public RobotRecord {
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(secretHash, "secretHash");
    checkName(name);
    roles = List.copyOf(Objects.requireNonNull(roles, "roles"));
    scopes = List.copyOf(Objects.requireNonNull(scopes, "scopes"));
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("robot '" + name + "' needs at least one role");
    }
    for (String role : roles) {
      if (!ROLE.matcher(role).matches()) {
        throw new IllegalArgumentException(
            "role '" + role + "' must be letters, digits, '.', '_' and '-'");
      }
    }
    scopes.forEach(ScopePattern::parse);
    if (!expiresAt.isAfter(createdAt)) {
      throw new IllegalArgumentException("robot '" + name + "' expires before it is created");
    }
    if (!SecretHasher.isHash(secretHash)) {
      throw new IllegalArgumentException("robot '" + name + "' has no valid bcrypt secret hash");
    }
  }

  /** True when {@code name} is a valid robot name (one worth looking up). */
  public static boolean isName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Refuses a name that is not lowercase letters, digits and {@code -}. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "robot name '"
              + name
              + "' must be lowercase letters, digits and '-' (at most 63), e.g. ci-team-a");
    }
    return name;
  }

  public String username() {
    return Authenticator.ROBOT_PREFIX + name;
  }

  public Status status(Instant now) {
    if (revoked) {
      return Status.REVOKED;
    }
    return now.isBefore(expiresAt) ? Status.ACTIVE : Status.EXPIRED;
  }

  public RobotRecord asRevoked() {
    return new RobotRecord(name, roles, scopes, createdAt, expiresAt, true, secretHash);
  }

  /** The identity a successful login gets: subject {@code robot$<name>}, its roles and scopes. */
  public Identity identity() {
    return new Identity(username(), Identity.Kind.ROBOT, roles, scopes);
  }

  /**
   * The robot as {@code robot list} and {@code GET /api/v1/robots} show it: everything but the
   * hash, with its status at {@code now}.
   */
  public Map<String, Object> listed(Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("username", username());
    m.put("roles", roles);
    m.put("scopes", scopes);
    m.put("createdAt", createdAt.toString());
    m.put("expiresAt", expiresAt.toString());
    m.put("revoked", revoked);
    m.put("status", status(now).name().toLowerCase(Locale.ROOT));
    return m;
  }

  @Override
  public String toString() {
    // never the hash: records end up in log lines and assertion messages
    return "RobotRecord[" + name + ", roles=" + roles + ", scopes=" + scopes + "]";
  }
}
