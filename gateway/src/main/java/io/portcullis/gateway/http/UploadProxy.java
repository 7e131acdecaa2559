package io.portcullis.gateway.http;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob uploads (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs">spec:
 * pushing blobs</a>): monolithic POST with {@code digest=}, POST-then-PUT, chunked PATCH sessions,
 * status, cancel and cross-repository mount. Bodies stream straight to the upstream with
 * backpressure. The upstream's session URL travels encrypted inside the upload id ({@link
 * UploadIds}), so clients only ever see gateway URLs and never the upstream's address or state.
 */
final class UploadProxy {
  private static final Logger LOG = LoggerFactory.getLogger(UploadProxy.class);
  private static final List<String> BODY_HEADERS =
      List.of("Content-Type", "Content-Length", "Content-Range");
  private final RegistryApi api;

  UploadProxy(RegistryApi api) {
    this.api = api;
  }

  /** {@code mayMount} is false when the caller may not pull the mount's source repository. */
  Future<Void> start(
      HttpServerRequest req, OciRoute.UploadStart s, UpstreamRoute route, boolean mayMount) {
    api.requirePush(route);
    String mount = req.getParam("mount");
    String digest = req.getParam("digest");
    if (mount != null && !mayMount) {
      ClientBody.resume(req);
      return open(route, "", List.of()).compose(resp -> session(req, route, resp, 202));
    }
    if (mount != null) {
      return mount(req, route, OciRoute.digest(mount), req.getParam("from"));
    }
    if (digest != null) {
      Digest d = OciRoute.digest(digest);
      // Monolithic upload in one POST: open a session upstream, then stream the body in its PUT,
      // so it works whether or not the upstream implements single-POST uploads.
      return open(route, "", List.of())
          .compose(
              resp -> {
                if (resp.statusCode() != 202) {
                  return ProxyResponses.relayError(req, resp, OciErrorCode.NAME_UNKNOWN, route)
                      .map(v -> (String) null);
                }
                String location = absoluteLocation(route, resp);
                return resp.end().map(v -> location);
              })
          .compose(
              location -> {
                if (location == null) {
                  return Future.succeededFuture();
                }
                return streamTo(req, route, HttpMethod.PUT, withDigest(location, d))
                    .compose(
                        resp ->
                            ProxyResponses.relayCreated(
                                req,
                                resp,
                                route,
                                api.publicBase(req),
                                OciErrorCode.BLOB_UPLOAD_INVALID));
              });
    }
    ClientBody.resume(req);
    return open(route, "", List.of()).compose(resp -> session(req, route, resp, 202));
  }

  private Future<Void> mount(
      HttpServerRequest req, UpstreamRoute route, Digest digest, String from) {
    ClientBody.resume(req);
    Optional<UpstreamRoute> source = Optional.empty();
    if (from != null) {
      try {
        source = api.router().route(RepositoryName.of(from), null);
      } catch (InvalidReferenceException e) {
        return Future.failedFuture(
            OciException.of(OciErrorCode.NAME_INVALID, "from: " + e.getMessage()));
      }
    }
    if (source.isEmpty() || source.get().upstream() != route.upstream()) {
      // A blob cannot be mounted across upstreams: answer with a plain session, as the spec allows.
      return open(route, "", List.of()).compose(resp -> session(req, route, resp, 202));
    }
    String fromName = source.get().upstreamName();
    String query =
        "?mount=" + digest + "&from=" + URLEncoder.encode(fromName, StandardCharsets.UTF_8);
    return open(route, query, List.of(UpstreamRequest.scope(fromName, "pull")))
        .compose(
            resp ->
                resp.statusCode() == 201
                    ? ProxyResponses.relayCreated(
                        req, resp, route, api.publicBase(req), OciErrorCode.BLOB_UPLOAD_INVALID)
                    : session(req, route, resp, 202));
  }

  /** Opens an upstream session; mounting needs pull on the source too ({@code extraScopes}). */
  private Future<HttpClientResponse> open(
      UpstreamRoute route, String query, List<String> extraScopes) {
    List<String> scopes = new java.util.ArrayList<>();
    scopes.add(UpstreamRequest.scope(route.upstreamName(), "pull,push"));
    scopes.addAll(extraScopes);
    MultiMap headers = route.headers().add("Content-Length", "0");
    return route
        .upstream()
        .send(
            new UpstreamRequest(
                HttpMethod.POST,
                route.path("blobs/uploads/") + query,
                headers,
                scopes,
                UpstreamRequest.Body.NONE));
  }

  Future<Void> patch(HttpServerRequest req, OciRoute.Upload u, UpstreamRoute route) {
    api.requirePush(route);
    String location = location(u, route);
    return streamTo(req, route, HttpMethod.PATCH, location)
        .compose(resp -> session(req, route, resp, 202));
  }

  Future<Void> put(HttpServerRequest req, OciRoute.Upload u, UpstreamRoute route) {
    api.requirePush(route);
    String location = location(u, route);
    String digest = req.getParam("digest");
    if (digest == null) {
      return Future.failedFuture(
          OciException.of(
              OciErrorCode.DIGEST_INVALID, "closing an upload needs the digest query parameter"));
    }
    Digest d = OciRoute.digest(digest);
    return streamTo(req, route, HttpMethod.PUT, withDigest(location, d))
        .compose(
            resp ->
                ProxyResponses.relayCreated(
                    req, resp, route, api.publicBase(req), OciErrorCode.BLOB_UPLOAD_INVALID));
  }

  Future<Void> status(HttpServerRequest req, OciRoute.Upload u, UpstreamRoute route) {
    api.requirePush(route);
    String location = location(u, route);
    return send(route, HttpMethod.GET, location).compose(resp -> session(req, route, resp, 204));
  }

  Future<Void> cancel(HttpServerRequest req, OciRoute.Upload u, UpstreamRoute route) {
    api.requirePush(route);
    String location = location(u, route);
    return send(route, HttpMethod.DELETE, location)
        .compose(
            resp -> {
              if (resp.statusCode() != 204 && resp.statusCode() != 200) {
                return ProxyResponses.relayError(
                    req, resp, OciErrorCode.BLOB_UPLOAD_UNKNOWN, route);
              }
              var res = ProxyResponses.start(req, resp, 204);
              res.headers().remove("Content-Length");
              return resp.end().compose(v -> res.end());
            });
  }

  private Future<HttpClientResponse> send(UpstreamRoute route, HttpMethod method, String location) {
    return route
        .upstream()
        .send(
            new UpstreamRequest(
                method,
                location,
                route.headers(),
                List.of(UpstreamRequest.scope(route.upstreamName(), "pull,push")),
                UpstreamRequest.Body.NONE));
  }

  private Future<HttpClientResponse> streamTo(
      HttpServerRequest req, UpstreamRoute route, HttpMethod method, String location) {
    MultiMap headers = route.headers();
    for (String name : BODY_HEADERS) {
      String value = req.getHeader(name);
      if (value != null) {
        headers.add(name, value);
      }
    }
    return route
        .upstream()
        .send(
            new UpstreamRequest(
                method,
                location,
                headers,
                List.of(UpstreamRequest.scope(route.upstreamName(), "pull,push")),
                new UpstreamRequest.Stream(ClientBody.stream(req))));
  }

  /** Answers with a gateway session URL (202 after POST/PATCH, 204 for status). */
  private Future<Void> session(
      HttpServerRequest req, UpstreamRoute route, HttpClientResponse resp, int status) {
    if (resp.statusCode() != 202 && resp.statusCode() != 204) {
      return ProxyResponses.relayError(req, resp, OciErrorCode.BLOB_UPLOAD_UNKNOWN, route);
    }
    String location = absoluteLocation(route, resp);
    String id;
    try {
      id =
          api.uploadIds()
              .seal(route.upstream().config().name(), route.gatewayName().value(), location);
    } catch (IllegalArgumentException tooLong) {
      resp.request().reset();
      return Future.failedFuture(
          OciException.withStatus(
              OciErrorCode.UNAVAILABLE,
              502,
              "upstream '" + route.upstream().config().name() + "' sent " + tooLong.getMessage()));
    }
    var res = ProxyResponses.start(req, resp, status);
    res.headers().remove("Content-Length");
    res.putHeader(
        "Location", api.publicBase(req) + "/v2/" + route.gatewayName() + "/blobs/uploads/" + id);
    String uuid = resp.getHeader("Docker-Upload-UUID");
    if (uuid != null) {
      res.putHeader("Docker-Upload-UUID", uuid);
    }
    return resp.end().compose(v -> res.end());
  }

  private String location(OciRoute.Upload u, UpstreamRoute route) {
    return api.uploadIds()
        .open(route.upstream().config().name(), route.gatewayName().value(), u.uploadId())
        .orElseThrow(
            () ->
                OciException.of(
                    OciErrorCode.BLOB_UPLOAD_UNKNOWN,
                    "upload id was not issued by this gateway for " + route.gatewayName()));
  }

  /**
   * The upstream's upload location, made absolute. The gateway sends its upstream credentials and
   * the client's bytes there, so a location off the upstream's own origin (or one that does not
   * parse) is a bad upstream answer (502), never sealed into an upload id nor followed.
   */
  private static String absoluteLocation(UpstreamRoute route, HttpClientResponse resp) {
    String location = resp.getHeader("Location");
    String name = route.upstream().config().name();
    URI target = null;
    try {
      target = location == null ? null : route.upstream().config().url().resolve(new URI(location));
    } catch (URISyntaxException | IllegalArgumentException malformed) {
      // refused below
    }
    if (target == null || !route.upstream().isOwnOrigin(target)) {
      // The host goes to the operator only (a registry whose public host setting differs from
      // the url the gateway uses for it); clients are not told the upstream's addresses.
      LOG.warn(
          "upstream {} sent an upload location the gateway does not follow: {}",
          name,
          target == null ? "malformed" : "host " + target.getHost() + " port " + target.getPort());
      resp.request().reset();
      throw OciException.withStatus(
          OciErrorCode.UNAVAILABLE,
          502,
          "upstream '"
              + name
              + "' sent "
              + (location == null
                  ? "no upload location"
                  : target == null
                      ? "a malformed upload location"
                      : "an upload location on another host"));
    }
    return target.toString();
  }

  private static String withDigest(String location, Digest digest) {
    return location + (location.indexOf('?') < 0 ? '?' : '&') + "digest=" + digest;
  }
}
