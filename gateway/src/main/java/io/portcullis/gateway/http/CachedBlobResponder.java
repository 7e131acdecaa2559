package io.portcullis.gateway.http;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.cache.BlobFill;
import io.portcullis.gateway.cache.BlobStore;
import io.portcullis.gateway.cache.CachedBlob;
import io.portcullis.gateway.cache.GrowingFileReader;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob GET and HEAD through the {@link BlobStore}: a hit is sent from its file (zero-copy, with
 * {@code Range}); a GET miss starts one fill from one whole-blob upstream GET, and every concurrent
 * GET of the same blob follows that fill as it is written. A {@code Range} miss starts or joins the
 * fill too, but waits until the fill is verified and stored and then answers from the file: a range
 * is never cut from bytes not yet checked against the digest. A fill that takes longer than {@link
 * #RANGE_WAIT} is followed as a whole-blob GET instead (200, range ignored), so a client never
 * waits without a byte for the fill of a large blob. What the cache cannot serve (a HEAD miss, a
 * blob larger than the cache, a failed fill) is proxied as without a cache, which ignores the range
 * and verifies the whole blob as it streams.
 *
 * <p>The cache is shared by every upstream; trust in a cached blob is not. It is served through an
 * upstream only when that upstream has served the same bytes itself ({@link CachedBlob#provenBy}),
 * and then in a repository of it once the upstream confirms the blob there (a HEAD, or a manifest
 * of that repository listing it). Through any other upstream the request is a miss: the blob is
 * fetched from that upstream as a fill, verified, and its verified end makes the upstream a prover.
 * An upstream that only claims a digest (HEAD 200, a manifest naming it) and knows no bytes never
 * gets the cached copy of another upstream's private layer.
 */
final class CachedBlobResponder {
  /** How long a range waits for a cache fill to be verified before the blob is sent whole. */
  static final Duration RANGE_WAIT = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(CachedBlobResponder.class);
  private final BlobStore store;

  CachedBlobResponder(BlobStore store) {
    this.store = store;
  }

  /**
   * Serves {@code digest}, or the part {@code range} asks for; {@code uncached} proxies the request
   * as if there were no cache.
   */
  Future<Void> serve(
      HttpServerRequest req,
      Digest digest,
      UpstreamRoute route,
      Optional<ByteRange> range,
      Supplier<Future<Void>> uncached) {
    String repository = route.upstreamRepository();
    String upstream = route.upstream().config().name();
    var ours = store.inFlight(digest, upstream);
    if (ours.filter(f -> f.state() == BlobFill.State.PENDING).isPresent()
        && !store.linked(repository, digest)) {
      // The leader's upstream answer will link this repository or fail: no HEAD of our own yet.
      return ours.get().started().compose(s -> serve(req, digest, route, range, uncached));
    }
    // Bytes this upstream has served (stored, or streaming from it now): what it says of its own
    // repositories is trusted.
    var hit = store.lookup(digest).filter(b -> b.provenBy(upstream));
    if ((hit.isPresent() || ours.isPresent()) && !store.linked(repository, digest)) {
      return confirm(digest, route)
          .compose(
              found -> {
                if (!found) {
                  return uncached.get();
                }
                store.link(repository, digest);
                return serve(req, digest, route, range, uncached);
              });
    }
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
                  return hit(req, blob, digest, route, range, uncached);
                }
                blob.release();
                return serve(req, digest, route, range, uncached);
              });
    }
    if (req.method() != HttpMethod.GET) {
      return uncached.get();
    }
    store.metrics().cacheMiss("blob");
    var started = store.begin(digest, upstream);
    if (started.isPresent()) {
      return lead(req, started.get(), route, range, uncached);
    }
    return store
        .inFlight(digest, upstream)
        .map(fill -> follow(req, fill, route, range, uncached))
        .orElseGet(() -> serve(req, digest, route, range, uncached));
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
      HttpServerRequest req,
      BlobFill fill,
      UpstreamRoute route,
      Optional<ByteRange> range,
      Supplier<Future<Void>> uncached) {
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
              return follow(req, fill, route, range, uncached);
            });
  }

  /**
   * Streams a fill in flight to this client, once it has started; a range waits for the verified
   * file instead.
   */
  private Future<Void> follow(
      HttpServerRequest req,
      BlobFill fill,
      UpstreamRoute route,
      Optional<ByteRange> range,
      Supplier<Future<Void>> uncached) {
    return fill.started()
        .compose(
            state -> {
              if (state == BlobFill.State.FAILED) {
                return uncached.get();
              }
              if (range.isPresent()) {
                // Served from the store once the whole blob has been checked; a fill that fails
                // (a lying upstream) leaves the range to the verifying whole-blob path. A fill
                // still going after RANGE_WAIT is followed whole (200), as HTTP lets a server
                // ignore a range: the client gets bytes instead of silence for the whole fill.
                return fill.stored()
                    .timeout(RANGE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .transform(
                        ar ->
                            ar.succeeded()
                                ? serve(req, fill.digest(), route, range, uncached)
                                : ar.cause() instanceof TimeoutException
                                    ? follow(req, fill, route, Optional.empty(), uncached)
                                    : uncached.get());
              }
              if (state == BlobFill.State.VERIFIED) {
                return fill.stored()
                    .transform(ar -> serve(req, fill.digest(), route, range, uncached));
              }
              HttpServerResponse res = headers(req, fill.digest()).setStatusCode(200);
              if (fill.expectedLength() >= 0) {
                res.putHeader("Content-Length", Long.toString(fill.expectedLength()));
              } else {
                res.setChunked(true);
              }
              return store
                  .follow(fill, ((HttpServerRequestInternal) req).context(), res)
                  .compose(
                      outcome -> {
                        if (outcome == GrowingFileReader.Outcome.MOVED) {
                          return fill.stored()
                              .transform(ar -> serve(req, fill.digest(), route, range, uncached));
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
      Optional<ByteRange> range,
      Supplier<Future<Void>> uncached) {
    HttpServerResponse res = headers(req, digest).putHeader("Accept-Ranges", "bytes");
    long size = blob.size();
    long offset = 0;
    long length = size;
    if (range.isPresent()) {
      Optional<ByteRange.Span> span = range.get().within(size);
      if (span.isEmpty()) {
        blob.release();
        return Future.failedFuture(
            OciException.of(
                    OciErrorCode.RANGE_INVALID,
                    "the range lies outside the blob of " + size + " bytes")
                .withHeader("Content-Range", "bytes */" + size));
      }
      offset = span.get().offset();
      length = span.get().length();
      res.setStatusCode(206)
          .putHeader("Content-Range", "bytes " + offset + "-" + span.get().end() + "/" + size);
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
              // A send also fails when the connection closes under it: the client left, or the
              // connection closed as the response ended (Connection: close, every connection in
              // a graceful shutdown) before the end was written. The blob is dropped (by ready)
              // only when its file is no longer as it was verified, never for the connection.
              return store
                  .ready(blob)
                  .compose(
                      intact -> {
                        if (res.headWritten()) {
                          return Future.<Void>succeededFuture();
                        }
                        return intact
                            ? Future.<Void>failedFuture(ar.cause())
                            : serve(req, digest, route, range, uncached);
                      });
            });
  }

  private static HttpServerResponse headers(HttpServerRequest req, Digest digest) {
    return req.response()
        .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
        .putHeader("Content-Type", "application/octet-stream")
        .putHeader("Docker-Content-Digest", digest.toString());
  }
}
