package io.portcullis.gateway.http;

import io.portcullis.gateway.cache.BlobStore;
import io.portcullis.gateway.enforce.BlobAccess;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs: streamed from the upstream with backpressure, never held in memory, and verified against
 * their digest while they stream ({@link VerifyingPipe}). No unverified byte is ever served, so a
 * {@code Range} is never forwarded upstream: the cache answers it from a verified file, and without
 * the cache (or for a blob larger than it) the range is ignored and the whole blob sent with 200,
 * as RFC 9110 section 14.2 allows.
 */
final class BlobProxy {
  private static final Logger LOG = LoggerFactory.getLogger(BlobProxy.class);

  private final RegistryApi api;
  private final CachedBlobResponder cache;
  private final BlobStore store;

  BlobProxy(RegistryApi api, BlobStore store) {
    this.api = api;
    this.store = store;
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
    // Only a GET gets here: a HEAD of a blob is not held to the policy (BlobProxy.fetch).
    return res.end(Buffer.buffer(v.bytes()));
  }

  private Future<Void> proxy(HttpServerRequest req, OciRoute.Blob b, UpstreamRoute route) {
    String header = req.getHeader("Range");
    Optional<ByteRange> range = ByteRange.parse(header);
    if (header != null && range.isEmpty()) {
      return Future.failedFuture(
          OciException.of(OciErrorCode.RANGE_INVALID, "Range must be bytes=<start>-<end>"));
    }
    if (cache != null) {
      return cache.serve(req, b.digest(), route, range, () -> upstream(req, b, route));
    }
    return upstream(req, b, route);
  }

  /** The whole blob from the upstream, verified as it streams; any {@code Range} is ignored. */
  private Future<Void> upstream(HttpServerRequest req, OciRoute.Blob b, UpstreamRoute route) {
    UpstreamRequest up =
        UpstreamRequest.pull(
            req.method(), route.path("blobs/" + b.digest()), route.headers(), route.upstreamName());
    return route
        .upstream()
        .send(up)
        .compose(
            resp -> {
              int status = resp.statusCode();
              if (status / 100 == 2 && status != 200) {
                // A part (206) or nothing (204) was not asked for: not bytes that can be verified.
                resp.request().reset();
                return Future.failedFuture(
                    OciException.withStatus(
                        OciErrorCode.UNAVAILABLE,
                        502,
                        "upstream '"
                            + route.upstream().config().name()
                            + "' answered a whole-blob GET with HTTP "
                            + status));
              }
              if (status != 200) {
                return ProxyResponses.relayError(req, resp, OciErrorCode.BLOB_UNKNOWN, route);
              }
              var res = ProxyResponses.start(req, resp, status);
              res.putHeader("Docker-Content-Digest", b.digest().toString());
              // Ranges are ignored on this path; a client must not be told they are honoured.
              res.headers().remove("Accept-Ranges").remove("Content-Range");
              if (req.method() == HttpMethod.HEAD) {
                return resp.end().compose(v -> res.end());
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

  /**
   * Deletes upstream; the cached copy is then no longer served for this repository (other
   * repositories that hold the same blob keep it) until the upstream confirms it there again.
   */
  Future<Void> delete(HttpServerRequest req, OciRoute.Blob b, UpstreamRoute route) {
    api.requirePush(route);
    return api.forwardDelete(
        req,
        route,
        route.path("blobs/" + b.digest()),
        OciErrorCode.BLOB_UNKNOWN,
        () -> {
          if (store != null) {
            store.unlink(route.upstreamRepository(), b.digest());
          }
          return Future.succeededFuture();
        });
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
