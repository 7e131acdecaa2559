package io.portcullis.core.registry;

import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.oci.RepositoryName;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A repository on a particular registry: {@code host[:port]} plus a {@link RepositoryName}. The
 * registry is kept as the user names it ({@code docker.io}); {@link #endpoint()} is where requests
 * go.
 *
 * <p>See the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests">OCI
 * distribution spec</a> for the name grammar.
 */
public record RemoteRepository(String registry, RepositoryName name) {

  /** The canonical name of Docker Hub in image references. */
  public static final String DOCKER_HUB = "docker.io";

  /** Where Docker Hub actually serves the distribution API. */
  public static final String DOCKER_HUB_ENDPOINT = "registry-1.docker.io";

  private static final String LABEL = "[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?";
  private static final Pattern HOST =
      Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|" + LABEL + "(\\." + LABEL + ")*)(:[0-9]{1,5})?");

  public RemoteRepository {
    if (registry == null || !isValidHost(registry)) {
      throw new InvalidReferenceException(
          "invalid registry host '" + registry + "': expected host[:port]");
    }
    registry = normaliseRegistry(registry);
    if (name == null) {
      throw new InvalidReferenceException("repository name is missing");
    }
  }

  public static RemoteRepository of(String registry, String name) {
    return new RemoteRepository(registry, RepositoryName.of(name));
  }

  /** The {@code host[:port]} requests are sent to. */
  public String endpoint() {
    return DOCKER_HUB.equals(registry) ? DOCKER_HUB_ENDPOINT : registry;
  }

  /** True when {@code value} is a syntactically valid {@code host[:port]} with a port ≤ 65535. */
  static boolean isValidHost(String value) {
    if (value == null || !HOST.matcher(value).matches()) {
      return false;
    }
    int colon = value.lastIndexOf(':');
    int bracket = value.lastIndexOf(']');
    if (colon > bracket && colon > 0) {
      int port = Integer.parseInt(value.substring(colon + 1));
      return port > 0 && port <= 65535;
    }
    return true;
  }

  private static String normaliseRegistry(String registry) {
    String lower = registry.toLowerCase(Locale.ROOT);
    // the legacy Hub names all mean Docker Hub; one spelling keeps credential lookups simple
    return "index.docker.io".equals(lower) || DOCKER_HUB_ENDPOINT.equals(lower)
        ? DOCKER_HUB
        : lower;
  }

  @Override
  public String toString() {
    return registry + "/" + name;
  }
}
