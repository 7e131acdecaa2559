package io.portcullis.gateway.http;

import io.portcullis.gateway.cache.Caches;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.enforce.Enforcer;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.portcullis.gateway.upstream.UpstreamRouter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * The client-facing OCI Distribution API: parses the path, picks the upstream, checks the method
 * and hands the request to the handler for its kind of resource. Every failure, thrown or
 * asynchronous, ends in {@link ErrorResponder}.
 */
public final class RegistryApi implements Handler<HttpServerRequest> {
  private final GatewayConfig config;
  private final UpstreamRouter router;
  private final UploadIds uploadIds;
  private final Enforcer enforcer;
  private final ManifestProxy manifests = new ManifestProxy(this);
  private final BlobProxy blobs;
  private final UploadProxy uploads = new UploadProxy(this);
  private final TagListProxy tags = new TagListProxy(this);
  private final ReferrersProxy referrers = new ReferrersProxy();

  /** {@code enforcer} is null when no trust policy is configured. */
  public RegistryApi(
      GatewayConfig config, UpstreamRouter router, UploadIds uploadIds, Enforcer enforcer) {
    this(config, router, uploadIds, enforcer, Caches.NONE);
  }

  /** As above, serving from and filling {@code caches}. */
  public RegistryApi(
      GatewayConfig config,
      UpstreamRouter router,
      UploadIds uploadIds,
      Enforcer enforcer,
      Caches caches) {
    this.blobs = new BlobProxy(this, caches.blobs());
    this.config = config;
    this.router = router;
    this.uploadIds = uploadIds;
    this.enforcer = enforcer;
  }

  @Override
  public void handle(HttpServerRequest req) {
    // Nothing may read the body before its handler has an upstream to stream it to.
    req.pause();
    Future<Void> done;
    try {
      done = dispatch(req);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onFailure(err -> ErrorResponder.send(req, err));
  }

  private Future<Void> dispatch(HttpServerRequest req) {
    OciRoute route = OciRoute.parse(req.path());
    HttpMethod m = req.method();
    if (route instanceof OciRoute.Base) {
      allow(m, HttpMethod.GET, HttpMethod.HEAD);
      return req.response()
          .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().encode());
    }
    if (route instanceof OciRoute.Manifest r) {
      allow(m, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE);
      UpstreamRoute up = upstream(req, r.name());
      if (m == HttpMethod.PUT) {
        return manifests.put(req, r, up);
      }
      return m == HttpMethod.DELETE ? manifests.delete(req, r, up) : manifests.fetch(req, r, up);
    }
    if (route instanceof OciRoute.Blob r) {
      allow(m, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE);
      UpstreamRoute up = upstream(req, r.name());
      return m == HttpMethod.DELETE ? blobs.delete(req, r, up) : blobs.fetch(req, r, up);
    }
    if (route instanceof OciRoute.UploadStart r) {
      allow(m, HttpMethod.POST);
      return uploads.start(req, r, upstream(req, r.name()));
    }
    if (route instanceof OciRoute.Upload r) {
      allow(m, HttpMethod.GET, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE);
      UpstreamRoute up = upstream(req, r.name());
      if (m == HttpMethod.PATCH) {
        return uploads.patch(req, r, up);
      }
      if (m == HttpMethod.PUT) {
        return uploads.put(req, r, up);
      }
      return m == HttpMethod.GET ? uploads.status(req, r, up) : uploads.cancel(req, r, up);
    }
    if (route instanceof OciRoute.TagList r) {
      allow(m, HttpMethod.GET);
      return tags.list(req, upstream(req, r.name()));
    }
    OciRoute.Referrers r = (OciRoute.Referrers) route;
    allow(m, HttpMethod.GET);
    return referrers.list(req, r, upstream(req, r.name()));
  }

  private static void allow(HttpMethod method, HttpMethod... allowed) {
    Set<HttpMethod> set = Set.of(allowed);
    if (!set.contains(method)) {
      String list =
          String.join(", ", java.util.Arrays.stream(allowed).map(HttpMethod::name).toList());
      throw OciException.of(
              OciErrorCode.UNSUPPORTED, method + " is not supported here; use " + list)
          .withHeader("Allow", list);
    }
  }

  private UpstreamRoute upstream(
      HttpServerRequest req, io.portcullis.core.oci.RepositoryName name) {
    return router
        .route(name, req.getParam("ns"))
        .orElseThrow(
            () ->
                OciException.of(
                    OciErrorCode.NAME_UNKNOWN,
                    "no upstream serves '"
                        + name
                        + "': its path starts with none of the configured prefixes"));
  }

  void requirePush(UpstreamRoute route) {
    if (!route.upstream().config().push()) {
      throw OciException.of(
          OciErrorCode.DENIED,
          "upstream '"
              + route.upstream().config().name()
              + "' is read-only through this gateway (push: false); push to a repository of a writable upstream");
    }
  }

  Future<Void> forwardDelete(
      HttpServerRequest req, UpstreamRoute route, String path, OciErrorCode notFound) {
    UpstreamRequest up =
        new UpstreamRequest(
            HttpMethod.DELETE,
            path,
            MultiMap.caseInsensitiveMultiMap(),
            List.of(
                UpstreamRequest.scope(route.upstreamName(), "delete"),
                UpstreamRequest.scope(route.upstreamName(), "pull,push")),
            UpstreamRequest.Body.NONE);
    return route
        .upstream()
        .send(up)
        .compose(
            resp -> {
              if (resp.statusCode() != 202) {
                return ProxyResponses.relayError(req, resp, notFound, route);
              }
              var res = ProxyResponses.start(req, resp, 202);
              res.headers().remove("Content-Length");
              return resp.end().compose(v -> res.end());
            });
  }

  String publicBase(HttpServerRequest req) {
    return ProxyResponses.publicBase(req, config.server().publicUrl());
  }

  Enforcer enforcer() {
    return enforcer;
  }

  UploadIds uploadIds() {
    return uploadIds;
  }

  UpstreamRouter router() {
    return router;
  }
}
