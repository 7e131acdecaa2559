package io.portcullis.core.policy;

import io.portcullis.core.vet.ConfigChecks;
import io.portcullis.core.vet.ConfigRules;
import io.portcullis.core.vet.ImageConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns the {@code config}, {@code sources} and {@code baseImages} rules into checks. Every
 * platform's config is checked; one bad platform fails the rule, and its reason names the platform.
 */
final class ConfigEvaluator {
  /** The label (or annotation) naming the base image, per the OCI annotations spec. */
  static final String BASE_NAME = "org.opencontainers.image.base.name";

  private final Clock clock;

  ConfigEvaluator(Clock clock) {
    this.clock = clock;
  }

  List<CheckResult> evaluate(VetRules rules, Evidence evidence) {
    List<CheckResult> checks = new ArrayList<>();
    if (!rules.sources().isEmpty()) {
      checks.add(sources(rules.sources(), evidence.repository()));
    }
    if (!rules.needsImageConfig()) {
      return checks;
    }
    List<Parsed> configs = new ArrayList<>();
    Optional<String> unreadable = Optional.empty();
    for (ImageConfigEvidence e : evidence.configs()) {
      try {
        configs.add(new Parsed(e.platform(), ImageConfig.parse(e.configJson())));
      } catch (IllegalArgumentException bad) {
        unreadable = Optional.of(where(e.platform()) + bad.getMessage());
      }
    }
    if (configs.isEmpty() || unreadable.isPresent()) {
      String why = unreadable.orElse("the image config was not fetched, so it cannot be vetted");
      rules
          .config()
          .ifPresent(c -> configRules(c).keySet().forEach(n -> checks.add(failed(n, why))));
      if (!rules.baseImages().isEmpty()) {
        checks.add(failed("baseImages", why));
      }
      return checks;
    }
    rules
        .config()
        .ifPresent(c -> configRules(c).forEach((n, rule) -> checks.add(each(n, configs, rule))));
    if (!rules.baseImages().isEmpty()) {
      checks.add(each("baseImages", configs, p -> baseImage(rules.baseImages(), p.labels())));
    }
    return checks;
  }

  private record Parsed(String platform, ImageConfig config) {}

  /**
   * The rules {@code c} sets, in policy order, by check name: each gives the problem with one
   * config, if any.
   */
  private Map<String, Function<ImageConfig, Optional<String>>> configRules(ConfigRules c) {
    Map<String, Function<ImageConfig, Optional<String>>> rules = new LinkedHashMap<>();
    if (c.nonRoot()) {
      rules.put("config.nonRoot", ConfigChecks::nonRoot);
    }
    if (c.noSecretsInEnv()) {
      rules.put("config.noSecretsInEnv", p -> join(ConfigChecks.secretsInEnv(p)));
    }
    c.allowedPorts()
        .ifPresent(
            ports ->
                rules.put(
                    "config.allowedPorts",
                    p ->
                        join(ConfigChecks.disallowedPorts(p, ports))
                            .map(bad -> "exposes " + bad + "; allowed: " + ports)));
    if (!c.requiredLabels().isEmpty()) {
      rules.put(
          "config.requiredLabels",
          p ->
              join(ConfigChecks.missingLabels(p, c.requiredLabels()))
                  .map(missing -> "missing label " + missing));
    }
    c.maxAge()
        .ifPresent(
            max -> rules.put("config.maxAge", p -> ConfigChecks.tooOld(p, max, clock.instant())));
    return rules;
  }

  private static CheckResult each(
      String check, List<Parsed> configs, Function<ImageConfig, Optional<String>> rule) {
    List<String> problems = new ArrayList<>();
    for (Parsed p : configs) {
      rule.apply(p.config()).ifPresent(problem -> problems.add(where(p.platform()) + problem));
    }
    if (problems.isEmpty()) {
      String scope = configs.size() == 1 ? "the image config" : configs.size() + " platforms";
      return new CheckResult(check, Outcome.PASSED, "holds for " + scope);
    }
    return failed(check, String.join("; ", problems));
  }

  private static CheckResult sources(List<ScopePattern> allow, String repository) {
    if (allow.stream().anyMatch(p -> p.matches(repository))) {
      return new CheckResult("sources", Outcome.PASSED, "'" + repository + "' is a vetted source");
    }
    return failed(
        "sources",
        "'"
            + repository
            + "' is not a vetted source; allowed: "
            + allow.stream().map(String::valueOf).toList());
  }

  private static Optional<String> baseImage(List<ScopePattern> allow, Map<String, String> labels) {
    String base = labels.getOrDefault(BASE_NAME, "").strip();
    if (base.isEmpty()) {
      return Optional.of(
          "label " + BASE_NAME + " is missing, so the base image is unknown; set it when building");
    }
    String name = base.contains("@") ? base.substring(0, base.indexOf('@')) : base;
    int colon = name.lastIndexOf(':');
    String untagged = colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    if (allow.stream().anyMatch(p -> p.matches(name) || p.matches(untagged))) {
      return Optional.empty();
    }
    return Optional.of(
        "base image '"
            + base
            + "' is not allowed; allowed: "
            + allow.stream().map(String::valueOf).toList());
  }

  private static Optional<String> join(List<String> items) {
    return items.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", items));
  }

  private static String where(String platform) {
    return platform.isEmpty() ? "" : platform + ": ";
  }

  static CheckResult failed(String check, String reason) {
    return new CheckResult(check, Outcome.FAILED, reason);
  }
}
