package io.portcullis.gateway.http;

import io.portcullis.core.oci.ManifestLimits;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.enforce.Enforcer;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.ArtifactSource;
import io.portcullis.gateway.upstream.DirectArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamErrors;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Optional;

/**
 * Manifests by tag or digest: GET read through the route's {@link ArtifactSource} (checked against
 * its digest, cached, served stale when the upstream is down), HEAD relayed (PUT and DELETE: {@link
 * ManifestWrites}). Manifests are small JSON documents, capped at {@link ManifestLimits#MAX_BYTES}
 * and kept as their exact bytes: the digest a client sees is the digest of the bytes it gets.
 */
final class ManifestProxy {
  static final int MAX_MANIFEST = ManifestLimits.MAX_BYTES;
  private final RegistryApi api;

  ManifestProxy(RegistryApi api) {
    this.api = api;
  }

  /** {@code client} names the caller in audit records ({@code subject@address} when known). */
  Future<Void> fetch(
      HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route, String client) {
    Enforcer enforcer = api.enforcer();
    if (enforcer == null) {
      return proxy(req, m, route);
    }
    return enforcer
        .manifest(client, req.getHeader(RequestObserver.HEADER), route, m.reference())
        .compose(approved -> approved == null ? proxy(req, m, route) : serve(req, approved));
  }

  /** Sends exactly the bytes the policy decision was made on. */
  private static Future<Void> serve(HttpServerRequest req, Enforcer.Approved approved) {
    var res =
        req.response()
            .setStatusCode(200)
            .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
            .putHeader("Docker-Content-Digest", approved.digest().toString())
            .putHeader("Content-Length", Integer.toString(approved.bytes().length));
    if (approved.mediaType() != null) {
      res.putHeader("Content-Type", approved.mediaType());
    }
    return req.method() == HttpMethod.HEAD ? res.end() : res.end(Buffer.buffer(approved.bytes()));
  }

  /**
   * GET through the route's {@link ArtifactSource}, the same fetch, digest check, cache and stale
   * fallback the trust evidence uses; HEAD relayed (a HEAD of a tag always asks the upstream).
   */
  private Future<Void> proxy(HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route) {
    if (req.method() == HttpMethod.HEAD) {
      return head(req, m, route);
    }
    return route
        .artifacts()
        .manifest(route, m.reference().toString(), accept(req))
        .compose(
            found ->
                found.isPresent()
                    ? serve(req, found.get())
                    : Future.failedFuture(
                        OciException.of(
                            OciErrorCode.MANIFEST_UNKNOWN,
                            OciErrorCode.MANIFEST_UNKNOWN.defaultMessage())));
  }

  /** Sends a manifest value, with a {@code Warning} when the upstream could not confirm it. */
  private static Future<Void> serve(HttpServerRequest req, Fetched f) {
    if (f.stale()) {
      req.response().putHeader("Warning", "110 - \"response is stale\"");
    }
    return serve(req, new Enforcer.Approved(f.bytes(), f.mediaType(), f.digest()));
  }

  /** A HEAD: a digest the source holds is answered at once; anything else asks the upstream. */
  private Future<Void> head(HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route) {
    Future<Optional<Fetched>> held =
        m.reference().isDigest()
            ? route.artifacts().held(route, m.reference().digest().orElseThrow())
            : Future.succeededFuture(Optional.empty());
    return held.compose(h -> h.isPresent() ? serve(req, h.get()) : headUpstream(req, m, route));
  }

  private Future<Void> headUpstream(
      HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route) {
    MultiMap headers = route.headers();
    headers.add("Accept", accept(req));
    UpstreamRequest up =
        UpstreamRequest.pull(
            HttpMethod.HEAD,
            route.path("manifests/" + m.reference()),
            headers,
            route.upstreamName());
    return route
        .upstream()
        .send(up)
        .recover(
            err ->
                lastKnown(m, route, req, err.getMessage(), UpstreamErrors.isOutage(err))
                    .compose(
                        l ->
                            l.isPresent()
                                ? serve(req, l.get()).<HttpClientResponse>mapEmpty()
                                : Future.<HttpClientResponse>failedFuture(err)))
        .compose(
            resp -> {
              if (resp == null) {
                return Future.<Void>succeededFuture();
              }
              int status = resp.statusCode();
              return lastKnown(m, route, req, "HTTP " + status, UpstreamErrors.isOutage(status))
                  .compose(
                      last ->
                          last.isPresent()
                              ? resp.end().compose(v -> serve(req, last.get()))
                              : relayHead(req, m, route, resp));
            });
  }

  /** The last known manifest of a tag, when the upstream failed in a way that allows it. */
  private static Future<Optional<Fetched>> lastKnown(
      OciRoute.Manifest m, UpstreamRoute route, HttpServerRequest req, String why, boolean outage) {
    if (!outage || m.reference().isDigest()) {
      return Future.succeededFuture(Optional.empty());
    }
    return route.artifacts().lastKnown(route, m.reference().toString(), accept(req), why);
  }

  /** The upstream's answer to a HEAD, relayed: an error as is, a manifest's headers checked. */
  private static Future<Void> relayHead(
      HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route, HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      return ProxyResponses.relayError(req, resp, OciErrorCode.MANIFEST_UNKNOWN, route);
    }
    if (contentLength(resp) > MAX_MANIFEST) {
      resp.request().reset();
      return Future.failedFuture(DirectArtifacts.tooLarge());
    }
    String digest = resp.getHeader("Docker-Content-Digest");
    if (m.reference().isDigest() && digest != null && !digest.equals(m.reference().toString())) {
      resp.request().reset();
      return Future.failedFuture(DirectArtifacts.mismatch(route, m.reference().toString(), digest));
    }
    var res = ProxyResponses.start(req, resp, 200);
    if (m.reference().isDigest()) {
      res.putHeader("Docker-Content-Digest", m.reference().toString());
    }
    return resp.end().compose(v -> res.end());
  }

  /**
   * The client's Accept list; a client that names no manifest type (none, or only wildcards) gets
   * every type, since registries serve OCI manifests only to clients that ask for them.
   */
  static String accept(HttpServerRequest req) {
    List<String> types =
        req.headers().getAll("Accept").stream()
            .flatMap(h -> java.util.Arrays.stream(h.split(",")))
            .map(String::strip)
            .filter(t -> !t.isEmpty() && !t.startsWith("*/*"))
            .toList();
    return String.join(", ", types.isEmpty() ? MediaTypes.MANIFEST_TYPES : types);
  }

  static long contentLength(HttpClientResponse resp) {
    return contentLength(resp.getHeader("Content-Length"));
  }

  static long contentLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      throw OciException.of(OciErrorCode.SIZE_INVALID, "Content-Length is not a number");
    }
  }
}
