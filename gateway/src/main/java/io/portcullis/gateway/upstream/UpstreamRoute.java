package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.RepositoryName;

/**
 * Where a gateway repository lives: the upstream and the repository's name there. {@code
 * gatewayName} is what the client asked for; {@code upstreamName} is what the upstream is asked;
 * {@code canonicalName} is the repository's one path under the gateway ({@code <prefix>/<name>}),
 * the same however the client reached it (containerd's {@code ns=} mirror requests included), and
 * the name every trust decision uses, so no spelling of a name can slip past a policy scope.
 */
public record UpstreamRoute(
    Upstream upstream, RepositoryName gatewayName, String upstreamName, String canonicalName) {

  /** The upstream's path for a resource of this repository, e.g. {@code manifests/latest}. */
  public String path(String suffix) {
    return "/v2/" + upstreamName + "/" + suffix;
  }
}
