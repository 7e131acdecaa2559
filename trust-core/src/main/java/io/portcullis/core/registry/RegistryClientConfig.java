package io.portcullis.core.registry;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a {@link RegistryClient} connects.
 *
 * @param credentials where to find registry credentials
 * @param insecureRegistries {@code host[:port]} values for which plain HTTP is allowed and TLS
 *     certificates are not verified; every other host gets verified HTTPS only
 * @param timeout connect timeout, and the time allowed for a response's headers to arrive
 */
public record RegistryClientConfig(
    CredentialSource credentials, Set<String> insecureRegistries, Duration timeout) {

  public RegistryClientConfig {
    if (credentials == null) {
      credentials = CredentialSource.anonymous();
    }
    insecureRegistries =
        insecureRegistries == null
            ? Set.of()
            : insecureRegistries.stream()
                .map(h -> h.strip().toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      timeout = Duration.ofSeconds(30);
    }
  }

  /** Anonymous, verified HTTPS only, default timeouts. */
  public static RegistryClientConfig defaults() {
    return new RegistryClientConfig(null, null, null);
  }

  public RegistryClientConfig withCredentials(CredentialSource source) {
    return new RegistryClientConfig(source, insecureRegistries, timeout);
  }

  public RegistryClientConfig withInsecureRegistries(Set<String> hosts) {
    return new RegistryClientConfig(credentials, hosts, timeout);
  }

  public RegistryClientConfig withTimeout(Duration newTimeout) {
    return new RegistryClientConfig(credentials, insecureRegistries, newTimeout);
  }

  /** True when {@code hostAndPort} was named insecure. */
  public boolean isInsecure(String hostAndPort) {
    return insecureRegistries.contains(hostAndPort.toLowerCase(Locale.ROOT));
  }
}
