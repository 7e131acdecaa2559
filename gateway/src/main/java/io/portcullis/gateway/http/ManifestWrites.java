package io.portcullis.gateway.http;

import static io.portcullis.gateway.http.ManifestProxy.MAX_MANIFEST;
import static io.portcullis.gateway.http.ManifestProxy.contentLength;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.ArtifactSource;
import io.portcullis.gateway.upstream.Bodies;
import io.portcullis.gateway.upstream.DirectArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Manifest PUT and DELETE, forwarded to writable upstreams. The gateway's caches learn of every
 * write before the client is answered, so reads after writes through this gateway are consistent;
 * and since the gateway answers the referrers API for every upstream, a manifest with a {@code
 * subject} is listed in its subject's referrers ({@link ReferrersTagIndex}).
 */
final class ManifestWrites {
  private static final Pattern REFERRERS_TAG = Pattern.compile("sha256-[a-f0-9]{64}");
  private final RegistryApi api;
  private final ReferrersTagIndex referrers = new ReferrersTagIndex();

  ManifestWrites(RegistryApi api) {
    this.api = api;
  }

  Future<Void> put(HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route) {
    api.requirePush(route);
    String contentType = req.getHeader("Content-Type");
    long declared = contentLength(req.getHeader("Content-Length"));
    if (declared > MAX_MANIFEST) {
      return Future.failedFuture(DirectArtifacts.tooLarge());
    }
    return Bodies.collect(ClientBody.stream(req), MAX_MANIFEST)
        .recover(
            err ->
                Future.failedFuture(
                    err instanceof OciException e && e.status() == 413
                        ? DirectArtifacts.tooLarge()
                        : err))
        .compose(
            body -> {
              byte[] bytes = body.getBytes();
              String declaredType;
              try {
                declaredType = ManifestCodec.mediaTypeOf(bytes);
              } catch (IllegalArgumentException e) {
                return Future.failedFuture(
                    OciException.of(OciErrorCode.MANIFEST_INVALID, e.getMessage()));
              }
              if (m.reference().isDigest()) {
                Digest wanted = m.reference().digest().orElseThrow();
                Digest actual = Digest.of(wanted.algorithm(), bytes);
                if (!actual.equals(wanted)) {
                  return Future.failedFuture(
                      OciException.of(
                          OciErrorCode.DIGEST_INVALID,
                          "manifest digest is " + actual + ", not " + wanted + " as the URL says"));
                }
              }
              MultiMap headers = route.headers();
              if (contentType != null) {
                headers.add("Content-Type", contentType);
              }
              headers.add("Content-Length", Integer.toString(bytes.length));
              UpstreamRequest up =
                  new UpstreamRequest(
                      HttpMethod.PUT,
                      route.path("manifests/" + m.reference()),
                      headers,
                      List.of(UpstreamRequest.scope(route.upstreamName(), "pull,push")),
                      new UpstreamRequest.Bytes(body));
              return route
                  .upstream()
                  .send(up)
                  .compose(
                      resp -> {
                        if (resp.statusCode() != 201) {
                          return ProxyResponses.relayCreated(
                              req, resp, route, api.publicBase(req), OciErrorCode.NAME_UNKNOWN);
                        }
                        return resp.end()
                            .compose(
                                v ->
                                    pushed(
                                        req,
                                        m,
                                        route,
                                        resp,
                                        bytes,
                                        // The manifest's own mediaType, else the declared one.
                                        declaredType != null ? declaredType : contentType))
                            .compose(
                                v ->
                                    ProxyResponses.answerCreated(
                                        req, resp, route, api.publicBase(req)));
                      });
            });
  }

  /**
   * After a manifest landed upstream, before the client hears of it: the cache serves it at once by
   * digest and by the tag pushed (a re-pushed tag moves for every read of this gateway; other
   * replicas see it within their tag TTL), and a manifest with a {@code subject} is listed in its
   * subject's referrers ({@code OCI-Subject} says so).
   */
  private Future<Void> pushed(
      HttpServerRequest req,
      OciRoute.Manifest m,
      UpstreamRoute route,
      HttpClientResponse resp,
      byte[] bytes,
      String type) {
    String claimed = resp.getHeader("Docker-Content-Digest");
    Digest digest = m.reference().digest().orElseGet(() -> Digest.sha256(bytes));
    ArtifactSource cache = route.artifacts();
    String tag = m.reference().isDigest() ? null : m.reference().toString();
    if (claimed == null || claimed.equals(digest.toString())) {
      cache.pushed(route, tag, new Fetched(bytes, type, digest));
    } else if (tag != null) {
      // The upstream stored other bytes than these (another digest algorithm): ask it next time.
      cache.deletedTag(route, tag);
    }
    if (tag != null && REFERRERS_TAG.matcher(tag).matches()) {
      // A client keeping the referrers tag itself: the subject's cached lists are out of date.
      cache.referrersChanged(route, Digest.parse(tag.replaceFirst("-", ":")));
    }
    var referrer = ReferrersTagIndex.Referrer.of(bytes, type, digest);
    if (referrer.isEmpty()) {
      return Future.succeededFuture();
    }
    Digest subject = referrer.get().subject();
    Future<Boolean> listed =
        resp.getHeader("OCI-Subject") != null
            ? Future.succeededFuture(false)
            : referrers.add(route, cache, referrer.get());
    return listed.map(
        ok -> {
          cache.referrersChanged(route, subject);
          if (ok) {
            req.response().putHeader("OCI-Subject", subject.toString());
          }
          return null;
        });
  }

  /**
   * Deletes upstream, then forgets the manifest in the cache (and the tags pointing at it) before
   * answering; a referrer deleted by digest is also removed from its subject's referrers tag.
   */
  Future<Void> delete(HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route) {
    api.requirePush(route);
    ArtifactSource cache = route.artifacts();
    Future<Optional<ReferrersTagIndex.Referrer>> referrer =
        m.reference().isDigest()
            ? referrerOf(route, cache, m.reference().digest().orElseThrow())
            : Future.succeededFuture(Optional.empty());
    return referrer.compose(
        r ->
            api.forwardDelete(
                req,
                route,
                route.path("manifests/" + m.reference()),
                OciErrorCode.MANIFEST_UNKNOWN,
                () -> {
                  Future<Void> forgotten =
                      m.reference().isDigest()
                          ? cache.deleted(route, m.reference().digest().orElseThrow())
                          : cache.deletedTag(route, m.reference().toString());
                  if (r.isEmpty()) {
                    return forgotten;
                  }
                  return forgotten
                      .compose(v -> referrers.remove(route, cache, r.get()))
                      .map(
                          v -> {
                            cache.referrersChanged(route, r.get().subject());
                            return null;
                          });
                }));
  }

  /**
   * What a manifest about to be deleted refers to, if anything; unknown when it cannot be read.
   * Read from the cache when there, else from the upstream without caching what is about to go.
   */
  private static Future<Optional<ReferrersTagIndex.Referrer>> referrerOf(
      UpstreamRoute route, ArtifactSource cache, Digest digest) {
    Future<Optional<Fetched>> cached = cache.held(route, digest);
    return cached
        .compose(
            hit ->
                hit.isPresent()
                    ? Future.succeededFuture(hit)
                    : DirectArtifacts.INSTANCE.manifest(
                        route, digest.toString(), UpstreamArtifacts.anyManifest()))
        .map(f -> f.flatMap(x -> ReferrersTagIndex.Referrer.of(x.bytes(), x.mediaType(), digest)))
        .otherwise(Optional.empty());
  }
}
