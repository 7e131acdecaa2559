package io.portcullis.core.dct;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GUN (globally unique name): the name a Notary server keeps a repository's trust data under, the
 * one {@code docker trust sign} uses when pushing to a registry: the registry's host (and port,
 * when the address has one) and the repository, {@code registry.corp:5000/team/app}. Docker Hub is
 * named as docker names it, {@code docker.io}, with {@code library/} before a one-part name ({@code
 * docker.io/library/alpine}), whichever of its addresses the upstream uses.
 *
 * <p>A trust store may name its GUNs otherwise with a template of {@code {host}} and {@code
 * {repository}} ({@code "notary.corp/{repository}"}).
 */
public record Gun(String value) {
  /** How docker names a repository's trust data. */
  public static final String DEFAULT_TEMPLATE = "{host}/{repository}";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
  private static final Set<String> DOCKER_HUB =
      Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

  public Gun {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()
        || value.startsWith("/")
        || value.endsWith("/")
        || value.contains("//")
        || value.contains("..")
        || !value.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '?' && c != '#' && c != '%')) {
      throw new IllegalArgumentException("'" + value + "' is not a GUN");
    }
  }

  /**
   * The GUN of {@code repository} at the registry {@code hostAndPort} (the upstream's address as
   * configured, port included when given), by {@code template}.
   */
  public static Gun of(String hostAndPort, String repository, String template) {
    String host = hostAndPort.toLowerCase(Locale.ROOT);
    String repo = repository;
    if (DOCKER_HUB.contains(host)) {
      host = "docker.io";
      if (!repo.contains("/")) {
        repo = "library/" + repo;
      }
    }
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement =
          switch (m.group(1)) {
            case "host" -> host;
            case "repository" -> repo;
            default ->
                throw new IllegalArgumentException(
                    "GUN template '"
                        + template
                        + "' has {"
                        + m.group(1)
                        + "}; only {host} and {repository} are known");
          };
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return new Gun(out.toString());
  }

  @Override
  public String toString() {
    return value;
  }
}
