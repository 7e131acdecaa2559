package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.RepositoryName;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Maps a gateway repository name to its upstream by the longest matching path prefix. A name that
 * matches no prefix goes to the upstream with the empty prefix (the default route), or to the one
 * {@code routing.unprefixed} names, which reads it as if it began with its own prefix: docker's
 * {@code registry-mirrors} send Docker Hub names bare ({@code library/alpine}), and they must be
 * the same repository as {@code docker.io/library/alpine} to every policy and access rule. Also
 * honours the {@code ns} query parameter containerd sends to mirrors ({@code
 * /v2/library/alpine/manifests/x?ns=docker.io}).
 */
public final class UpstreamRouter {
  private final List<Upstream> byPrefixLength;
  private final Optional<Upstream> unprefixed;
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
            .filter(u -> !u.config().prefix().isEmpty())
            .sorted(
                Comparator.comparingInt((Upstream u) -> u.config().prefix().length()).reversed())
            .toList();
    // The loader allows at most one of the two: a default route, or an upstream named by
    // routing.unprefixed.
    this.unprefixed =
        upstreams.stream()
            .filter(u -> u.config().prefix().isEmpty() || u.config().unprefixed())
            .findFirst();
  }

  public Optional<UpstreamRoute> route(RepositoryName name, String ns) {
    String n = name.value();
    boolean hasNs = ns != null && !ns.isEmpty();
    if (hasNs
        && !n.equals(ns)
        && !n.startsWith(ns + "/")
        && byPrefixLength.stream().anyMatch(u -> u.config().prefix().equals(ns))) {
      // As if the client had written the prefix: docker.io/team/app goes where
      // team/app?ns=docker.io goes, and has the same canonical name.
      return byPrefix(name, ns + "/" + n);
    }
    Optional<UpstreamRoute> prefixed = byPrefix(name, n);
    if (prefixed.isPresent() || unprefixed.isEmpty()) {
      return prefixed;
    }
    Upstream u = unprefixed.get();
    String prefix = u.config().prefix();
    if (prefix.isEmpty()) {
      return Optional.of(route(u, name, upstreamName(u, n)));
    }
    // containerd's ns names the registry a name belongs to: one that routing.unprefixed does not
    // name is not served under another registry's name.
    if (hasNs && !prefix.equals(ns)) {
      return Optional.empty();
    }
    // As with ns: a longer prefix under it (docker.io/team) takes its names here too.
    return byPrefix(name, prefix + "/" + n);
  }

  private Optional<UpstreamRoute> byPrefix(RepositoryName name, String path) {
    for (Upstream u : byPrefixLength) {
      String prefix = u.config().prefix();
      if (path.startsWith(prefix + "/")) {
        return Optional.of(route(u, name, upstreamName(u, path.substring(prefix.length() + 1))));
      }
    }
    return Optional.empty();
  }

  /**
   * The canonical name is the upstream's prefix plus the upstream's own name for the repository:
   * {@code docker.io/alpine}, {@code docker.io/library/alpine}, {@code library/alpine?ns=docker.io}
   * and, under {@code routing.unprefixed: docker.io}, {@code library/alpine} and {@code alpine} are
   * one repository, {@code docker.io/library/alpine}, to every policy.
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
