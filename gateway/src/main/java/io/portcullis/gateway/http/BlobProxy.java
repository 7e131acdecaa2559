package io.portcullis.gateway.http;

import io.portcullis.gateway.cache.BlobStore;
import io.portcullis.gateway.enforce.BlobAccess;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs: streamed from the upstream with backpressure, never held in memory. A whole-blob GET is
 * verified against its digest while it streams ({@link VerifyingPipe}); a {@code Range} GET is
 * relayed as the upstream's 206.
 */
final class BlobProxy {
  private static final Logger LOG = LoggerFactory.getLogger(BlobProxy.class);

  /** A {@code Range} header this gateway accepts (one range of bytes). */
  static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,19})?-(\\d{1,19})?");

  private final RegistryApi api;
  private final CachedBlobResponder cache;

  BlobProxy(RegistryApi api, BlobStore store) {
    this.api = api;
    this.cache = store == null ? null : new CachedBlobResponder(store);
  }

  /**
   * {@code client} names the caller in audit records ({@code subject@address} when known). A HEAD
   * carries no bytes and answers whether the blob exists, which every push asks before uploading,
   * so only GETs are held to the trust policy.
   */
  Future<Void> fetch(HttpServerRequest req, OciRoute.Blob b, UpstreamRoute route, String client) {
    if (api.enforcer() == null || req.method() == HttpMethod.HEAD) {
      return proxy(req, b, route);
    }
    return api.enforcer()
        .blob(client, req.getHeader(RequestObserver.HEADER), route, b.digest())
        .compose(
            access ->
                access instanceof BlobAccess.Verified v
                    ? verified(req, b, v)
                    : proxy(req, b, route));
  }

  /**
   * A trust artifact's layer, already fetched within its declared size and checked against its
   * digest and type: served whole from memory (at most 1 MiB), a {@code Range} ignored as HTTP
   * allows.
   */
  private static Future<Void> verified(
      HttpServerRequest req, OciRoute.Blob b, BlobAccess.Verified v) {
    var res =
        req.response()
            .setStatusCode(200)
            .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
            .putHeader("Docker-Content-Digest", b.digest().toString())
            .putHeader("Content-Type", "application/octet-stream")
            .putHeader("Content-Length", Integer.toString(v.bytes().length));
    return req.method() == HttpMethod.HEAD ? res.end() : res.end(Buffer.buffer(v.bytes()));
  }

  private Future<Void> proxy(HttpServerRequest req, OciRoute.Blob b, UpstreamRoute route) {
    MultiMap headers = route.headers();
    String range = req.getHeader("Range");
    if (range != null) {
      var m = RANGE.matcher(range.trim());
      if (!m.matches() || (m.group(1) == null && m.group(2) == null)) {
        return Future.failedFuture(
            OciException.of(OciErrorCode.RANGE_INVALID, "Range must be bytes=<start>-<end>"));
      }
      headers.add("Range", range.trim());
    }
    if (cache != null) {
      return cache.serve(req, b.digest(), route, () -> upstream(req, b, route, headers));
    }
    return upstream(req, b, route, headers);
  }

  private Future<Void> upstream(
      HttpServerRequest req, OciRoute.Blob b, UpstreamRoute route, MultiMap headers) {
    UpstreamRequest up =
        UpstreamRequest.pull(
            req.method(), route.path("blobs/" + b.digest()), headers, route.upstreamName());
    return route
        .upstream()
        .send(up)
        .compose(
            resp -> {
              int status = resp.statusCode();
              if (status != 200 && status != 206) {
                return ProxyResponses.relayError(req, resp, OciErrorCode.BLOB_UNKNOWN, route);
              }
              var res = ProxyResponses.start(req, resp, status);
              res.putHeader("Docker-Content-Digest", b.digest().toString());
              if (req.method() == HttpMethod.HEAD) {
                return resp.end().compose(v -> res.end());
              }
              if (status == 206) {
                return resp.pipeTo(res);
              }
              long length = ManifestProxy.contentLength(resp);
              return VerifyingPipe.pipe(resp, res, b.digest(), length)
                  .map(
                      outcome -> {
                        report(outcome, route, b, resp);
                        return null;
                      });
            });
  }

  Future<Void> delete(HttpServerRequest req, OciRoute.Blob b, UpstreamRoute route) {
    api.requirePush(route);
    return api.forwardDelete(
        req, route, route.path("blobs/" + b.digest()), OciErrorCode.BLOB_UNKNOWN);
  }

  private static void report(
      VerifyingPipe.Outcome outcome,
      UpstreamRoute route,
      OciRoute.Blob b,
      HttpClientResponse resp) {
    String where = route.upstreamRepository() + "@" + b.digest();
    switch (outcome) {
      case VERIFIED -> LOG.debug("blob {} verified", where);
      case DIGEST_MISMATCH ->
          LOG.error(
              "blob {}: upstream bytes do not match the digest; client connection reset", where);
      case TRUNCATED, UPSTREAM_FAILED ->
          LOG.warn(
              "blob {}: upstream transfer broke off ({}); client connection reset", where, outcome);
      case CLIENT_GONE -> {
        LOG.info("blob {}: client went away; upstream transfer stopped", where);
        resp.request().reset();
      }
    }
  }
}
