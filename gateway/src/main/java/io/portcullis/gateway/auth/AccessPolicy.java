package io.portcullis.gateway.auth;

import io.portcullis.core.policy.ScopePattern;
import io.portcullis.gateway.config.AccessRule;
import io.portcullis.gateway.config.AccessRule.Action;
import io.portcullis.gateway.config.AccessRule.Effect;
import io.portcullis.gateway.config.AuthConfig;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an identity may do on a repository: the union of what the {@code anonymous} rules and the
 * identity's roles allow, less everything any of those rules denies (a deny beats every allow),
 * limited to the identity's repository scopes when it has any (robots). Unknown roles and unusable
 * scope globs grant nothing: the policy fails closed.
 */
public final class AccessPolicy {
  private final AuthConfig config;

  public AccessPolicy(AuthConfig config) {
    this.config = config;
  }

  /** The actions {@code identity} may take on {@code repository} (its canonical gateway path). */
  public Set<Action> allowed(Identity identity, String repository) {
    if (!withinScopes(identity, repository)) {
      return EnumSet.noneOf(Action.class);
    }
    Set<Action> allowed = EnumSet.noneOf(Action.class);
    Set<Action> denied = EnumSet.noneOf(Action.class);
    for (AccessRule rule : rules(identity)) {
      if (rule.covers(repository)) {
        (rule.effect() == Effect.DENY ? denied : allowed).addAll(rule.actions());
      }
    }
    allowed.removeAll(denied);
    return allowed;
  }

  /**
   * True when {@code identity} may use the robots admin API: one of its roles has a rule naming the
   * action {@code admin} and none denies it. Never for anonymous callers, and never for an identity
   * narrowed to some repositories (a robot with scopes): managing robots reaches every repository.
   * {@code *} does not grant it (see {@link AccessRule#admin()}).
   */
  public boolean admin(Identity identity) {
    if (identity.kind() == Identity.Kind.ANONYMOUS || !identity.repositoryScopes().isEmpty()) {
      return false;
    }
    boolean allowed = false;
    for (String role : identity.roles()) {
      for (AccessRule rule : config.roles().getOrDefault(role, List.of())) {
        if (rule.admin() && rule.effect() == Effect.DENY) {
          return false;
        }
        allowed |= rule.admin();
      }
    }
    return allowed;
  }

  /** True when the role named {@code role} exists (robots may only be given existing roles). */
  public boolean hasRole(String role) {
    return config.roles().containsKey(role);
  }

  /** True when clients without credentials may do anything at all. */
  public boolean anonymousEnabled() {
    return config.anonymous().stream().anyMatch(r -> r.effect() == Effect.ALLOW);
  }

  /** The identity of an htpasswd user, with the roles {@code auth.users} gives it. */
  public Identity user(String name) {
    return new Identity(
        name, Identity.Kind.USER, config.users().getOrDefault(name, List.of()), List.of());
  }

  /** The identity of a client without credentials. */
  public static Identity anonymous() {
    return new Identity("anonymous", Identity.Kind.ANONYMOUS, List.of(), List.of());
  }

  private List<AccessRule> rules(Identity identity) {
    List<AccessRule> rules = new ArrayList<>(config.anonymous());
    if (identity.kind() != Identity.Kind.ANONYMOUS) {
      for (String role : identity.roles()) {
        rules.addAll(config.roles().getOrDefault(role, List.of()));
      }
    }
    return rules;
  }

  private static boolean withinScopes(Identity identity, String repository) {
    if (identity.repositoryScopes().isEmpty()) {
      return true;
    }
    return identity.repositoryScopes().stream()
        .map(AccessPolicy::pattern)
        .flatMap(Optional::stream)
        .anyMatch(p -> p.matches(repository));
  }

  private static Optional<ScopePattern> pattern(String glob) {
    try {
      return Optional.of(ScopePattern.parse(glob));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
