package io.portcullis.gateway.http;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.Bodies;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * {@code GET /v2/<name>/referrers/<digest>} (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers">spec:
 * listing referrers</a>). Upstreams without the referrers API (CNCF distribution 2.8 among them)
 * answer 404; the gateway then builds the answer from the referrers tag schema ({@code
 * sha256-<hex>} index), so clients always get the API. {@code artifactType} is filtered here when
 * the upstream did not, and {@code OCI-Filters-Applied} says so.
 */
final class ReferrersProxy {
  private static final int MAX_INDEX = 4 * 1024 * 1024;

  Future<Void> list(HttpServerRequest req, OciRoute.Referrers r, UpstreamRoute route) {
    String artifactType = req.getParam("artifactType");
    MultiMap accept = MultiMap.caseInsensitiveMultiMap().add("Accept", MediaTypes.OCI_INDEX);
    String query =
        artifactType == null
            ? ""
            : "?artifactType="
                + java.net.URLEncoder.encode(artifactType, java.nio.charset.StandardCharsets.UTF_8);
    return route
        .upstream()
        .send(
            UpstreamRequest.pull(
                HttpMethod.GET,
                route.path("referrers/" + r.digest()) + query,
                accept,
                route.upstreamName()))
        .compose(
            resp -> {
              if (resp.statusCode() == 200) {
                boolean filtered = resp.getHeader("OCI-Filters-Applied") != null;
                return Bodies.collect(resp, MAX_INDEX)
                    .compose(body -> answer(req, body, filtered ? null : artifactType));
              }
              if (resp.statusCode() != 404) {
                return ProxyResponses.relayError(req, resp, OciErrorCode.NAME_UNKNOWN, route);
              }
              return resp.end().compose(v -> fromTag(req, r, route, artifactType));
            });
  }

  private Future<Void> fromTag(
      HttpServerRequest req, OciRoute.Referrers r, UpstreamRoute route, String artifactType) {
    MultiMap accept = MultiMap.caseInsensitiveMultiMap().add("Accept", MediaTypes.OCI_INDEX);
    return route
        .upstream()
        .send(
            UpstreamRequest.pull(
                HttpMethod.GET,
                route.path("manifests/" + r.digest().referrersTag()),
                accept,
                route.upstreamName()))
        .compose(
            resp -> {
              if (resp.statusCode() == 404) {
                return resp.end()
                    .compose(
                        v ->
                            answer(
                                req, Buffer.buffer(ManifestCodec.write(ImageIndex.empty())), null));
              }
              if (resp.statusCode() != 200) {
                return ProxyResponses.relayError(req, resp, OciErrorCode.NAME_UNKNOWN, route);
              }
              return Bodies.collect(resp, MAX_INDEX)
                  .compose(body -> answer(req, body, artifactType));
            });
  }

  /** Sends the index, filtered by {@code artifactType} when it is not null. */
  private Future<Void> answer(HttpServerRequest req, Buffer body, String artifactType) {
    Buffer out = body;
    var res = req.response().setStatusCode(200);
    if (artifactType != null) {
      ImageIndex index;
      try {
        index = ManifestCodec.readIndex(body.getBytes());
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(
            OciException.withStatus(
                OciErrorCode.UNAVAILABLE, 502, "upstream sent an unreadable referrers index"));
      }
      List<Descriptor> kept =
          index.manifests().stream().filter(d -> artifactType.equals(d.artifactType())).toList();
      out =
          Buffer.buffer(
              ManifestCodec.write(
                  new ImageIndex(2, MediaTypes.OCI_INDEX, null, kept, null, index.annotations())));
      res.putHeader("OCI-Filters-Applied", "artifactType");
    } else if (req.getParam("artifactType") != null) {
      res.putHeader("OCI-Filters-Applied", "artifactType");
    }
    return res.putHeader("Content-Type", MediaTypes.OCI_INDEX)
        .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
        .end(out);
  }
}
