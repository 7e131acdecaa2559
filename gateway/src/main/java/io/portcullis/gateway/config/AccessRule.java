package io.portcullis.gateway.config;

import io.portcullis.core.policy.ScopePattern;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of a role or of {@code auth.anonymous}: the actions it allows (or, with {@code effect:
 * deny}, forbids) on repositories matching any of its globs. Globs are {@link ScopePattern}s over
 * the gateway path ({@code docker.io/**}, {@code team-a/*}).
 *
 * @param admin whether the rule names the action {@code admin}: managing robots through {@code
 *     /api/v1/robots}. Not a repository action (no token scope carries it, its globs do not matter)
 *     and not implied by {@code *}: whoever holds it can make robots with any role, so it is
 *     granted only by name.
 */
public record AccessRule(
    List<ScopePattern> repositories, Set<Action> actions, Effect effect, boolean admin) {

  /** The action name that grants (or with {@code effect: deny} forbids) the robots admin API. */
  public static final String ADMIN = "admin";

  public AccessRule(List<ScopePattern> repositories, Set<Action> actions, Effect effect) {
    this(repositories, actions, effect, false);
  }

  public AccessRule {
    repositories = List.copyOf(repositories);
    actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
  }

  /** True when {@code repository} matches one of the globs. */
  public boolean covers(String repository) {
    return repositories.stream().anyMatch(p -> p.matches(repository));
  }

  /**
   * The repository actions of the <a
   * href="https://distribution.github.io/distribution/spec/auth/scope/">token scope</a> grammar.
   */
  public enum Action {
    PULL,
    PUSH,
    DELETE;

    /** The name in scopes, tokens and config: {@code pull}, {@code push}, {@code delete}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code value}, or empty for anything else (including {@code *}). */
    public static Optional<Action> parse(String value) {
      for (Action a : values()) {
        if (a.wire().equals(value)) {
          return Optional.of(a);
        }
      }
      return Optional.empty();
    }
  }

  /** Whether a rule grants or forbids; a deny beats any allow. */
  public enum Effect {
    ALLOW,
    DENY
  }
}
