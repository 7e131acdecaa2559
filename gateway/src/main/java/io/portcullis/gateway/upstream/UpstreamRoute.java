package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.RepositoryName;
import io.vertx.core.MultiMap;

/**
 * Where a gateway repository lives: the upstream and the repository's name there. {@code
 * gatewayName} is what the client asked for; {@code upstreamName} is what the upstream is asked;
 * {@code canonicalName} is the repository's one path under the gateway ({@code <prefix>/<name>}),
 * the same however the client reached it (containerd's {@code ns=} mirror requests included), and
 * the name every trust decision uses, so no spelling of a name can slip past a policy scope.
 *
 * <p>{@code artifacts} is where manifests and trust evidence of the repository are read from (the
 * upstream, or the cache in front of it), fixed when the gateway starts: whoever holds a route
 * reads through the same source.
 *
 * <p>A route is resolved for each client request, so it also carries that request's id ({@code
 * requestId}, null when there is none): every upstream request made for it, proxied or fetched as
 * evidence, sends the id as {@value #REQUEST_ID_HEADER}, and an operator can find the gateway's
 * access and audit lines for an upstream log line.
 */
public record UpstreamRoute(
    Upstream upstream,
    ArtifactSource artifacts,
    RepositoryName gatewayName,
    String upstreamName,
    String canonicalName,
    String requestId) {

  /** The header carrying the request id, from the client and on to the upstream. */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  /** A route not tied to a client request, whose artifacts come straight from the upstream. */
  public UpstreamRoute(
      Upstream upstream, RepositoryName gatewayName, String upstreamName, String canonicalName) {
    this(upstream, DirectArtifacts.INSTANCE, gatewayName, upstreamName, canonicalName, null);
  }

  /** This route for the client request {@code id}. */
  public UpstreamRoute withRequestId(String id) {
    return new UpstreamRoute(upstream, artifacts, gatewayName, upstreamName, canonicalName, id);
  }

  /** The upstream's path for a resource of this repository, e.g. {@code manifests/latest}. */
  public String path(String suffix) {
    return "/v2/" + upstreamName + "/" + suffix;
  }

  /**
   * The repository as the caches key it, {@code <upstream>/<upstreamName>}: the same for every
   * gateway name that reaches it.
   */
  public String upstreamRepository() {
    return upstream.config().name() + "/" + upstreamName;
  }

  /** New headers for an upstream request on this route: the request id, when there is one. */
  public MultiMap headers() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (requestId != null) {
      headers.add(REQUEST_ID_HEADER, requestId);
    }
    return headers;
  }
}
