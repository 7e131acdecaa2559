package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.RepositoryName;

/**
 * Where a gateway repository lives: the upstream and the repository's name there. {@code
 * gatewayName} is what the client asked for; {@code upstreamName} is what the upstream is asked.
 */
public record UpstreamRoute(Upstream upstream, RepositoryName gatewayName, String upstreamName) {

  /** The upstream's path for a resource of this repository, e.g. {@code manifests/latest}. */
  public String path(String suffix) {
    return "/v2/" + upstreamName + "/" + suffix;
  }
}
