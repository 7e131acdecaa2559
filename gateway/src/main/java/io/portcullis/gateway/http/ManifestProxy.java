package io.portcullis.gateway.http;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.cache.ManifestCache;
import io.portcullis.gateway.enforce.Enforcer;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.Bodies;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
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
 * Manifests by tag or digest: GET and HEAD forwarded and checked against their digest (PUT and
 * DELETE: {@link ManifestWrites}). Manifests are small JSON documents, capped at 4 MiB and kept as
 * their exact bytes: the digest a client sees is the digest of the bytes it gets.
 */
final class ManifestProxy {
  static final int MAX_MANIFEST = 4 * 1024 * 1024;
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

  private Future<Void> proxy(HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route) {
    if (route.upstream().manifestCache() instanceof ManifestCache cache) {
      return cached(req, m, route, cache);
    }
    return upstream(req, m, route, null);
  }

  /**
   * From the cache: a digest that is cached, or a tag within its TTL (or confirmed by a HEAD);
   * otherwise from the upstream, remembering what it sends, and falling back on the last known
   * manifest of a tag when the upstream is down.
   */
  private Future<Void> cached(
      HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route, ManifestCache cache) {
    if (m.reference().isDigest()) {
      return cache
          .byDigest(route, m.reference().digest().orElseThrow())
          .compose(hit -> hit.isPresent() ? serve(req, hit.get()) : upstream(req, m, route, cache));
    }
    if (req.method() == HttpMethod.HEAD) {
      return upstream(req, m, route, cache);
    }
    return cache
        .byTag(route, m.reference().toString(), accept(req))
        .compose(hit -> hit.isPresent() ? serve(req, hit.get()) : upstream(req, m, route, cache));
  }

  /** Sends a cached manifest, with a {@code Warning} when the upstream could not confirm it. */
  private static Future<Void> serve(HttpServerRequest req, Fetched f) {
    if (f.stale()) {
      req.response().putHeader("Warning", "110 - \"response is stale\"");
    }
    return serve(req, new Enforcer.Approved(f.bytes(), f.mediaType(), f.digest()));
  }

  /** The last known manifest of the tag, when the upstream failed in a way that allows it. */
  private static Future<Optional<Fetched>> stale(
      HttpServerRequest req,
      OciRoute.Manifest m,
      UpstreamRoute route,
      ManifestCache cache,
      String why) {
    if (cache == null || m.reference().isDigest() || req.response().headWritten()) {
      return Future.succeededFuture(Optional.empty());
    }
    return cache.lastKnown(route, m.reference().toString(), accept(req), why);
  }

  private Future<Void> upstream(
      HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route, ManifestCache cache) {
    MultiMap headers = route.headers();
    headers.add("Accept", accept(req));
    UpstreamRequest up =
        UpstreamRequest.pull(
            req.method(), route.path("manifests/" + m.reference()), headers, route.upstreamName());
    return route
        .upstream()
        .send(up)
        .recover(
            err -> {
              Future<Optional<Fetched>> last =
                  ManifestCache.isStaleWorthy(err)
                      ? stale(req, m, route, cache, err.getMessage())
                      : Future.succeededFuture(Optional.empty());
              return last.compose(
                  l ->
                      l.isPresent()
                          ? serve(req, l.get()).<HttpClientResponse>mapEmpty()
                          : Future.<HttpClientResponse>failedFuture(err));
            })
        .compose(
            resp -> {
              if (resp == null) {
                return Future.<Void>succeededFuture();
              }
              int status = resp.statusCode();
              if (ManifestCache.isStaleWorthy(status)) {
                // The last known manifest may have to be read from disk: hold the body meanwhile.
                resp.pause();
                return stale(req, m, route, cache, "HTTP " + status)
                    .compose(
                        last -> {
                          if (last.isPresent()) {
                            resp.resume();
                            return resp.end().compose(v -> serve(req, last.get()));
                          }
                          if (req.method() == HttpMethod.HEAD) {
                            resp.resume();
                          }
                          return relay(req, m, route, resp, cache);
                        });
              }
              return relay(req, m, route, resp, cache);
            });
  }

  /** The upstream's answer, relayed: an error as is, a manifest checked and remembered. */
  private Future<Void> relay(
      HttpServerRequest req,
      OciRoute.Manifest m,
      UpstreamRoute route,
      HttpClientResponse resp,
      ManifestCache cache) {
    int status = resp.statusCode();
    if (status != 200) {
      return ProxyResponses.relayError(req, resp, OciErrorCode.MANIFEST_UNKNOWN, route);
    }
    long length = contentLength(resp);
    if (length > MAX_MANIFEST) {
      resp.request().reset();
      return Future.failedFuture(tooLarge(route));
    }
    if (req.method() == HttpMethod.HEAD) {
      return head(req, m, route, resp);
    }
    return Bodies.collect(resp, MAX_MANIFEST)
        .recover(
            err ->
                Future.failedFuture(
                    err instanceof OciException e && e.status() == 413 ? tooLarge(route) : err))
        .compose(body -> serve(req, m, route, resp, body, cache));
  }

  private Future<Void> head(
      HttpServerRequest req, OciRoute.Manifest m, UpstreamRoute route, HttpClientResponse resp) {
    String digest = resp.getHeader("Docker-Content-Digest");
    if (m.reference().isDigest() && digest != null && !digest.equals(m.reference().toString())) {
      resp.request().reset();
      return Future.failedFuture(mismatch(route, m.reference().toString(), digest));
    }
    var res = ProxyResponses.start(req, resp, 200);
    if (m.reference().isDigest()) {
      res.putHeader("Docker-Content-Digest", m.reference().toString());
    }
    return resp.end().compose(v -> res.end());
  }

  private Future<Void> serve(
      HttpServerRequest req,
      OciRoute.Manifest m,
      UpstreamRoute route,
      HttpClientResponse resp,
      Buffer body,
      ManifestCache cache) {
    byte[] bytes = body.getBytes();
    Digest actual;
    if (m.reference().isDigest()) {
      Digest wanted = m.reference().digest().orElseThrow();
      actual = Digest.of(wanted.algorithm(), bytes);
      if (!actual.equals(wanted)) {
        return Future.failedFuture(mismatch(route, wanted.toString(), actual.toString()));
      }
    } else {
      actual = Digest.sha256(bytes);
      String claimed = resp.getHeader("Docker-Content-Digest");
      if (claimed != null && claimed.startsWith("sha256:") && !claimed.equals(actual.toString())) {
        return Future.failedFuture(mismatch(route, claimed, actual.toString()));
      }
    }
    if (cache != null) {
      cache.put(
          route,
          m.reference().isDigest() ? null : m.reference().toString(),
          new Fetched(bytes, resp.getHeader("Content-Type"), actual));
    }
    return ProxyResponses.start(req, resp, 200)
        .putHeader("Docker-Content-Digest", actual.toString())
        .putHeader("Content-Length", Integer.toString(bytes.length))
        .end(body);
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

  static OciException tooLarge(UpstreamRoute route) {
    return OciException.withStatus(
        OciErrorCode.MANIFEST_INVALID, 413, "manifest exceeds the 4 MiB limit");
  }

  private static OciException mismatch(UpstreamRoute route, String expected, String actual) {
    return OciException.withStatus(
        OciErrorCode.MANIFEST_INVALID,
        502,
        "upstream '"
            + route.upstream().config().name()
            + "' sent a manifest whose digest "
            + actual
            + " does not match "
            + expected);
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
