package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.RepositoryName;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Maps a gateway repository name to its upstream by the longest matching path prefix; the empty
 * prefix, when configured, catches everything else. Also honours the {@code ns} query parameter
 * containerd sends to mirrors ({@code /v2/library/alpine/manifests/x?ns=docker.io}).
 */
public final class UpstreamRouter {
  private final List<Upstream> byPrefixLength;
  private final ArtifactSource artifacts;

  /** Routes whose artifacts come straight from the upstream. */
  public UpstreamRouter(List<Upstream> upstreams) {
    this(upstreams, DirectArtifacts.INSTANCE);
  }

  /** Routes that read manifests and trust evidence through {@code artifacts}. */
  public UpstreamRouter(List<Upstream> upstreams, ArtifactSource artifacts) {
    this.artifacts = artifacts;
    this.byPrefixLength =
        upstreams.stream()
            .sorted(
                Comparator.comparingInt((Upstream u) -> u.config().prefix().length()).reversed())
            .toList();
  }

  public Optional<UpstreamRoute> route(RepositoryName name, String ns) {
    String n = name.value();
    if (ns != null && !ns.isEmpty()) {
      for (Upstream u : byPrefixLength) {
        if (u.config().prefix().equals(ns) && !n.equals(ns) && !n.startsWith(ns + "/")) {
          return Optional.of(route(u, name, upstreamName(u, n)));
        }
      }
    }
    for (Upstream u : byPrefixLength) {
      String prefix = u.config().prefix();
      if (prefix.isEmpty()) {
        return Optional.of(route(u, name, upstreamName(u, n)));
      }
      if (n.startsWith(prefix + "/")) {
        return Optional.of(route(u, name, upstreamName(u, n.substring(prefix.length() + 1))));
      }
    }
    return Optional.empty();
  }

  /**
   * The canonical name is the upstream's prefix plus the upstream's own name for the repository:
   * {@code docker.io/alpine}, {@code docker.io/library/alpine} and {@code
   * library/alpine?ns=docker.io} are one repository, {@code docker.io/library/alpine}, to every
   * policy.
   */
  private UpstreamRoute route(Upstream u, RepositoryName name, String upstreamName) {
    String prefix = u.config().prefix();
    return new UpstreamRoute(
        u,
        artifacts,
        name,
        upstreamName,
        prefix.isEmpty() ? upstreamName : prefix + "/" + upstreamName,
        null);
  }

  private static String upstreamName(Upstream u, String rest) {
    if (u.config().isDockerHub() && rest.indexOf('/') < 0) {
      return "library/" + rest;
    }
    return rest;
  }
}
