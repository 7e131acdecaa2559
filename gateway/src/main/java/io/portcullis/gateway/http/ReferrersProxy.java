package io.portcullis.gateway.http;

import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.enforce.Enforcer;
import io.portcullis.gateway.upstream.UpstreamArtifacts;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /v2/<name>/referrers/<digest>} (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers">spec:
 * listing referrers</a>). Upstreams without the referrers API (CNCF distribution 2.8 among them)
 * are answered from the referrers tag schema ({@link UpstreamArtifacts#referrers}), so clients
 * always get the API. {@code artifactType} is filtered here when the upstream did not, and {@code
 * OCI-Filters-Applied} says so.
 */
final class ReferrersProxy {
  private final RegistryApi api;

  ReferrersProxy(RegistryApi api) {
    this.api = api;
  }

  /**
   * Under an enforcing policy the referrers of a subject are listed only when the subject is served
   * ({@link Enforcer#referrers}); {@code client} names the caller in audit records.
   */
  Future<Void> list(
      HttpServerRequest req, OciRoute.Referrers r, UpstreamRoute route, String client) {
    Enforcer enforcer = api.enforcer();
    if (enforcer == null) {
      return list(req, r, route);
    }
    return enforcer
        .referrers(client, req.getHeader(RequestObserver.HEADER), route, r.digest())
        .compose(v -> list(req, r, route));
  }

  private Future<Void> list(HttpServerRequest req, OciRoute.Referrers r, UpstreamRoute route) {
    String artifactType = req.getParam("artifactType");
    return route
        .artifacts()
        .referrers(route, r.digest(), artifactType)
        .compose(
            found -> {
              ImageIndex index = found.index();
              var res = req.response().setStatusCode(200);
              if (artifactType != null) {
                if (!found.filtered()) {
                  index = UpstreamArtifacts.filter(index, artifactType);
                }
                res.putHeader("OCI-Filters-Applied", "artifactType");
              }
              return res.putHeader("Content-Type", MediaTypes.OCI_INDEX)
                  .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
                  .end(Buffer.buffer(ManifestCodec.write(index)));
            });
  }
}
