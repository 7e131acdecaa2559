package io.portcullis.gateway.auth;

import io.portcullis.core.oci.RepositoryName;
import io.portcullis.gateway.config.AccessRule.Action;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One resource scope of the <a
 * href="https://distribution.github.io/distribution/spec/auth/scope/">token scope grammar</a>,
 * {@code repository:team/app:pull,push}, and the shape of one entry of a token's {@code access}
 * claim. Only {@code repository} scopes with the actions pull, push and delete are ever granted;
 * anything else parses (so a client asking for {@code registry:catalog:*} is not refused) but
 * grants nothing.
 */
public record Scope(String type, String name, List<String> actions) {
  public static final String REPOSITORY = "repository";
  private static final Pattern TYPE = Pattern.compile("[a-z0-9]+(?:\\([a-z0-9]+\\))?");
  private static final Pattern ACTION = Pattern.compile("[a-z]+|\\*");

  public Scope {
    actions = List.copyOf(actions);
  }

  /**
   * Parses one resource scope; empty when malformed. The name sits between the first and the last
   * colon, since a name may carry a {@code host:port}.
   */
  public static Optional<Scope> parse(String value) {
    if (value == null || value.length() > 512) {
      return Optional.empty();
    }
    int first = value.indexOf(':');
    int last = value.lastIndexOf(':');
    if (first <= 0 || last <= first + 1) {
      return Optional.empty();
    }
    String type = value.substring(0, first);
    String name = value.substring(first + 1, last);
    if (!TYPE.matcher(type).matches()
        || (type.equals(REPOSITORY) && !RepositoryName.isValid(name))) {
      return Optional.empty();
    }
    Set<String> actions = new LinkedHashSet<>();
    for (String a : value.substring(last + 1).split(",", -1)) {
      if (!ACTION.matcher(a).matches()) {
        return Optional.empty();
      }
      actions.add(a);
    }
    return Optional.of(new Scope(type, name, new ArrayList<>(actions)));
  }

  /**
   * Every well-formed scope in {@code values} (each may hold several separated by spaces, as the
   * OAuth2 form does); malformed ones are dropped. Scopes of one resource are merged.
   */
  public static List<Scope> parseAll(List<String> values) {
    Map<String, Set<String>> merged = new LinkedHashMap<>();
    Map<String, Scope> firstSeen = new LinkedHashMap<>();
    for (String value : values) {
      for (String part : value.split(" ")) {
        parse(part)
            .ifPresent(
                s -> {
                  String key = s.type() + ":" + s.name();
                  firstSeen.putIfAbsent(key, s);
                  merged.computeIfAbsent(key, k -> new LinkedHashSet<>()).addAll(s.actions());
                });
      }
    }
    return firstSeen.entrySet().stream()
        .map(
            e ->
                new Scope(
                    e.getValue().type(),
                    e.getValue().name(),
                    new ArrayList<>(merged.get(e.getKey()))))
        .toList();
  }

  /** A repository scope for {@code actions}, listed in a fixed order (pull, push, delete). */
  public static Scope repository(String name, Set<Action> actions) {
    return new Scope(REPOSITORY, name, actions.stream().sorted().map(Action::wire).toList());
  }

  /** The repository actions asked for; {@code *} stands for all of them. */
  public Set<Action> repositoryActions() {
    Set<Action> result = EnumSet.noneOf(Action.class);
    if (!type.equals(REPOSITORY)) {
      return result;
    }
    for (String a : actions) {
      if (a.equals("*")) {
        result.addAll(EnumSet.allOf(Action.class));
      } else {
        Action.parse(a).ifPresent(result::add);
      }
    }
    return result;
  }

  @Override
  public String toString() {
    return type + ":" + name + ":" + String.join(",", actions);
  }
}
