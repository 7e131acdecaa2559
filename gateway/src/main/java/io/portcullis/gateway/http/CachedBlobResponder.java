package io.portcullis.gateway.http;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.cache.BlobFill;
import io.portcullis.gateway.cache.BlobStore;
import io.portcullis.gateway.cache.CachedBlob;
import io.portcullis.gateway.cache.GrowingFileReader;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob GET and HEAD through the {@link BlobStore}: a hit is sent from its file (zero-copy, with
 * {@code Range}); a whole-blob GET miss starts one fill from one upstream GET, and every concurrent
 * GET of the same blob follows that fill as it is written. What the cache cannot serve (a HEAD or
 * {@code Range} miss, a blob larger than the cache, a refused fill) is proxied as without a cache.
 */
final class CachedBlobResponder {
  private static final Logger LOG = LoggerFactory.getLogger(CachedBlobResponder.class);
  private final BlobStore store;

  CachedBlobResponder(BlobStore store) {
    this.store = store;
  }

  /** Serves {@code digest}; {@code uncached} proxies the request as if there were no cache. */
  Future<Void> serve(
      HttpServerRequest req, Digest digest, UpstreamRoute route, Supplier<Future<Void>> uncached) {
    String repository = route.upstreamRepository();
    var pending = store.inFlight(digest).filter(f -> f.state() == BlobFill.State.PENDING);
    if (pending.isPresent() && !store.linked(repository, digest)) {
      // The leader's upstream answer will link this repository or fail: no HEAD of our own yet.
      return pending.get().started().compose(s -> serve(req, digest, route, uncached));
    }
    if (store.contains(digest) && !store.linked(repository, digest)) {
      return confirm(digest, route)
          .compose(
              found -> {
                if (!found) {
                  return uncached.get();
                }
                store.link(repository, digest);
                return serve(req, digest, route, uncached);
              });
    }
    var hit = store.lookup(digest);
    if (hit.isPresent()) {
      CachedBlob blob = hit.get().acquire();
      // Nothing unverified is served: a file changed on disk, or not yet re-hashed after a
      // restart, is checked first; a bad one is dropped and this becomes a miss.
      return store
          .ready(blob)
          .compose(
              ok -> {
                if (ok) {
                  store.metrics().cacheHit("blob");
                  return hit(req, blob, digest, route, uncached);
                }
                blob.release();
                return serve(req, digest, route, uncached);
              });
    }
    if (req.method() != HttpMethod.GET || req.getHeader("Range") != null) {
      return uncached.get();
    }
    store.metrics().cacheMiss("blob");
    var started = store.begin(digest);
    if (started.isPresent()) {
      return lead(req, started.get(), route, uncached);
    }
    return store
        .inFlight(digest)
        .map(fill -> follow(req, fill, route, uncached))
        .orElseGet(() -> serve(req, digest, route, uncached));
  }

  /**
   * Whether the upstream has the blob in this repository (a HEAD; registries count GETs, not
   * HEADs): the cached copy is shared between repositories, access to it is not.
   */
  private static Future<Boolean> confirm(Digest digest, UpstreamRoute route) {
    UpstreamRequest head =
        UpstreamRequest.pull(
            HttpMethod.HEAD, route.path("blobs/" + digest), route.headers(), route.upstreamName());
    return route
        .upstream()
        .send(head)
        .compose(resp -> resp.end().map(v -> resp.statusCode() == 200))
        .recover(err -> Future.succeededFuture(false));
  }

  /** The first GET of a cold blob: one upstream GET feeds the fill; this client follows it too. */
  private Future<Void> lead(
      HttpServerRequest req, BlobFill fill, UpstreamRoute route, Supplier<Future<Void>> uncached) {
    UpstreamRequest up =
        UpstreamRequest.pull(
            HttpMethod.GET,
            route.path("blobs/" + fill.digest()),
            route.headers(),
            route.upstreamName());
    return route
        .upstream()
        .send(up)
        .onFailure(err -> store.refuse(fill, err))
        .compose(
            resp -> {
              if (resp.statusCode() != 200) {
                store.refuse(
                    fill, new IllegalStateException("upstream answered " + resp.statusCode()));
                return ProxyResponses.relayError(req, resp, OciErrorCode.BLOB_UNKNOWN, route);
              }
              long length;
              try {
                length = ManifestProxy.contentLength(resp);
              } catch (RuntimeException e) {
                store.refuse(fill, e);
                resp.request().reset();
                return Future.failedFuture(e);
              }
              if (length > store.maxSize()) {
                store.refuse(fill, new IllegalStateException("larger than the cache"));
                resp.request().reset();
                return uncached.get();
              }
              store.link(route.upstreamRepository(), fill.digest());
              fill.start(resp, length);
              return follow(req, fill, route, uncached);
            });
  }

  /** Streams a fill in flight to this client, once it has started. */
  private Future<Void> follow(
      HttpServerRequest req, BlobFill fill, UpstreamRoute route, Supplier<Future<Void>> uncached) {
    return fill.started()
        .compose(
            state -> {
              if (state == BlobFill.State.FAILED) {
                return uncached.get();
              }
              if (state == BlobFill.State.VERIFIED) {
                return fill.stored().transform(ar -> serve(req, fill.digest(), route, uncached));
              }
              HttpServerResponse res = headers(req, fill.digest()).setStatusCode(200);
              if (fill.expectedLength() >= 0) {
                res.putHeader("Content-Length", Long.toString(fill.expectedLength()));
              } else {
                res.setChunked(true);
              }
              return store
                  .follow(fill, res)
                  .compose(
                      outcome -> {
                        if (outcome == GrowingFileReader.Outcome.MOVED) {
                          return fill.stored()
                              .transform(ar -> serve(req, fill.digest(), route, uncached));
                        }
                        if (outcome == GrowingFileReader.Outcome.FILL_FAILED) {
                          LOG.warn(
                              "blob {}: cache fill failed; client connection reset", fill.digest());
                        }
                        return Future.<Void>succeededFuture();
                      });
            });
  }

  private Future<Void> hit(
      HttpServerRequest req,
      CachedBlob blob,
      Digest digest,
      UpstreamRoute route,
      Supplier<Future<Void>> uncached) {
    HttpServerResponse res = headers(req, digest).putHeader("Accept-Ranges", "bytes");
    long size = blob.size();
    long offset = 0;
    long length = size;
    String range = req.getHeader("Range");
    if (range != null) {
      Matcher m = BlobProxy.RANGE.matcher(range.trim());
      long[] r = m.matches() ? range(m, size) : null;
      if (r == null) {
        blob.release();
        return res.setStatusCode(416).putHeader("Content-Range", "bytes */" + size).end();
      }
      offset = r[0];
      length = r[1] - r[0] + 1;
      res.setStatusCode(206).putHeader("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + size);
    } else {
      res.setStatusCode(200);
    }
    if (req.method() == HttpMethod.HEAD) {
      blob.release();
      return res.putHeader("Content-Length", Long.toString(length)).end();
    }
    long sent = length;
    return res.sendFile(blob.file().toString(), offset, length)
        .transform(
            ar -> {
              blob.release();
              if (ar.succeeded()) {
                store.metrics().cacheBytesServed("blob", sent);
                return Future.<Void>succeededFuture();
              }
              store.drop(blob, "cannot be read: " + ar.cause().getMessage());
              return res.headWritten()
                  ? Future.<Void>succeededFuture()
                  : serve(req, digest, route, uncached);
            });
  }

  /** {start, end} inclusive, or null when the range cannot be satisfied. */
  private static long[] range(Matcher m, long size) {
    String a = m.group(1);
    String b = m.group(2);
    if (a == null && b == null) {
      return null;
    }
    long start;
    long end;
    if (a == null) {
      long suffix = Long.parseLong(b);
      start = Math.max(0, size - suffix);
      end = size - 1;
    } else {
      start = Long.parseLong(a);
      end = b == null ? size - 1 : Math.min(Long.parseLong(b), size - 1);
    }
    return start > end || start >= size ? null : new long[] {start, end};
  }

  private static HttpServerResponse headers(HttpServerRequest req, Digest digest) {
    return req.response()
        .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
        .putHeader("Content-Type", "application/octet-stream")
        .putHeader("Docker-Content-Digest", digest.toString());
  }
}
