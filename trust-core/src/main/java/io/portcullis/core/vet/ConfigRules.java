package io.portcullis.core.vet;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code config} section of a policy.
 *
 * @param nonRoot {@code config.User} must name a user other than root
 * @param noSecretsInEnv no environment variable may look like a secret, by name or by value
 * @param allowedPorts when present, every exposed port must be in it
 * @param requiredLabels labels that must be present and non-empty
 * @param maxAge when present, the config's {@code created} must be at most this old
 */
public record ConfigRules(
    boolean nonRoot,
    boolean noSecretsInEnv,
    Optional<List<Integer>> allowedPorts,
    List<String> requiredLabels,
    Optional<Duration> maxAge) {

  public ConfigRules {
    allowedPorts = allowedPorts.map(List::copyOf);
    requiredLabels = List.copyOf(requiredLabels);
  }
}
