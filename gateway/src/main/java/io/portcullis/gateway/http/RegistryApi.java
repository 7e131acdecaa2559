package io.portcullis.gateway.http;

import io.portcullis.core.oci.RepositoryName;
import io.portcullis.gateway.auth.AuthServices;
import io.portcullis.gateway.cache.Caches;
import io.portcullis.gateway.config.AccessRule.Action;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.enforce.Enforcer;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.portcullis.gateway.upstream.UpstreamRouter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

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
  private final ManifestWrites manifestWrites = new ManifestWrites(this);
  private final BlobProxy blobs;
  private final UploadProxy uploads = new UploadProxy(this);
  private final TagListProxy tags = new TagListProxy(this);
  private final ReferrersProxy referrers = new ReferrersProxy(this);

  private final AccessGate gate;
  private final QuotaGate quotas;
  private final TokenEndpoint tokenEndpoint;
  private final RobotsApi robotsApi;

  /** {@code enforcer} is null when no trust policy is configured. */
  public RegistryApi(
      GatewayConfig config, UpstreamRouter router, UploadIds uploadIds, Enforcer enforcer) {
    this(config, router, uploadIds, enforcer, null, Optional.empty(), Caches.NONE);
  }

  /**
   * With access control when {@code auth} is present: every {@code /v2/} request is authorized and
   * {@code /token} issues tokens. Blobs and manifests are served from and fill {@code caches}.
   */
  public RegistryApi(
      GatewayConfig config,
      UpstreamRouter router,
      UploadIds uploadIds,
      Enforcer enforcer,
      Vertx vertx,
      Optional<AuthServices> auth,
      Caches caches) {
    this.blobs = new BlobProxy(this, caches.blobs());
    this.config = config;
    this.router = router;
    this.uploadIds = uploadIds;
    this.enforcer = enforcer;
    this.gate = auth.map(a -> new AccessGate(vertx, a, this::publicBase)).orElse(null);
    this.quotas = auth.map(QuotaGate::new).orElse(null);
    this.tokenEndpoint =
        auth.map(a -> new TokenEndpoint(vertx, a, this::canonicalName)).orElse(null);
    this.robotsApi = auth.map(a -> new RobotsApi(a, gate, quotas)).orElse(null);
  }

  @Override
  public void handle(HttpServerRequest req) {
    // Nothing may read the body before its handler has an upstream to stream it to; the time it is
    // held is the gateway's, not a client's stall.
    ClientBody.hold(req);
    Future<Void> done;
    try {
      done = dispatch(req);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onFailure(err -> ErrorResponder.send(req, err));
  }

  private Future<Void> dispatch(HttpServerRequest req) {
    if (tokenEndpoint != null && "/token".equals(req.path())) {
      return tokenEndpoint.handle(req);
    }
    if (robotsApi != null && RobotsApi.handles(req.path())) {
      checkQuery(req);
      return robotsApi.handle(req);
    }
    OciRoute route = OciRoute.parse(req.path(), req.method());
    checkMethod(route, req.method());
    checkQuery(req);
    if (gate == null) {
      return serve(req, route, Caller.open(AccessGate.address(req), RequestObserver.id(req)));
    }
    AccessGate.Need need = need(req, route);
    return gate.check(req, need)
        .compose(
            caller ->
                quotas.within(
                    req,
                    caller,
                    need,
                    isTransfer(route, req.method()),
                    () -> serve(req, route, caller)));
  }

  /**
   * Decodes the query once, before any authentication work, so a malformed {@code %} escape is a
   * 400 naming the parameter; decoded, the parameters stay with the request for the handlers.
   */
  static void checkQuery(HttpServerRequest req) {
    try {
      req.params();
    } catch (IllegalArgumentException malformed) {
      String name = FormDecoder.firstMalformed(req.query()).orElse("");
      OciErrorCode code =
          switch (name) {
            case "digest", "mount" -> OciErrorCode.DIGEST_INVALID;
            case "ns", "from" -> OciErrorCode.NAME_INVALID;
            case "last" -> OciErrorCode.TAG_INVALID;
            case "n" -> OciErrorCode.PAGINATION_NUMBER_INVALID;
            default -> OciErrorCode.UNSUPPORTED;
          };
      String message =
          "malformed query string: a % escape in "
              + (name.isEmpty() ? "it" : "parameter '" + name + "'")
              + " is not two hex digits";
      throw code == OciErrorCode.UNSUPPORTED
          ? OciException.withStatus(code, 400, message)
          : OciException.of(code, message);
    }
  }

  /** Requests that move blob bytes, which {@code auth.quotas.concurrentTransfers} limits. */
  private static boolean isTransfer(OciRoute route, HttpMethod m) {
    return (route instanceof OciRoute.Blob && m == HttpMethod.GET)
        || (route instanceof OciRoute.Upload && (m == HttpMethod.PATCH || m == HttpMethod.PUT));
  }

  private static void checkMethod(OciRoute route, HttpMethod m) {
    if (route instanceof OciRoute.Base) {
      allow(m, HttpMethod.GET, HttpMethod.HEAD);
    } else if (route instanceof OciRoute.Manifest) {
      allow(m, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE);
    } else if (route instanceof OciRoute.Blob) {
      allow(m, HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE);
    } else if (route instanceof OciRoute.UploadStart) {
      allow(m, HttpMethod.POST);
    } else if (route instanceof OciRoute.Upload) {
      allow(m, HttpMethod.GET, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE);
    } else {
      allow(m, HttpMethod.GET);
    }
  }

  /** The action a route needs: pull to read, push to upload or put a manifest, delete to delete. */
  private AccessGate.Need need(HttpServerRequest req, OciRoute route) {
    HttpMethod m = req.method();
    RepositoryName name;
    Action action;
    if (route instanceof OciRoute.Manifest r) {
      name = r.name();
      action =
          m == HttpMethod.PUT ? Action.PUSH : m == HttpMethod.DELETE ? Action.DELETE : Action.PULL;
    } else if (route instanceof OciRoute.Blob r) {
      name = r.name();
      action = m == HttpMethod.DELETE ? Action.DELETE : Action.PULL;
    } else if (route instanceof OciRoute.UploadStart r) {
      name = r.name();
      action = Action.PUSH;
    } else if (route instanceof OciRoute.Upload r) {
      name = r.name();
      action = Action.PUSH;
    } else if (route instanceof OciRoute.TagList r) {
      name = r.name();
      action = Action.PULL;
    } else if (route instanceof OciRoute.Referrers r) {
      name = r.name();
      action = Action.PULL;
    } else {
      return AccessGate.Need.BASE;
    }
    String canonical =
        router
            .route(name, req.getParam("ns"))
            .map(UpstreamRoute::canonicalName)
            .orElse(name.value());
    return new AccessGate.Need(name.value(), canonical, action);
  }

  /**
   * The path access rules match, {@link UpstreamRoute#canonicalName}, for a name given without
   * {@code ns} (a token request's scope, a mount's {@code from}).
   */
  private String canonicalName(String name) {
    if (!RepositoryName.isValid(name)) {
      return name;
    }
    return router
        .route(RepositoryName.of(name), null)
        .map(UpstreamRoute::canonicalName)
        .orElse(name);
  }

  private Future<Void> serve(HttpServerRequest req, OciRoute route, Caller caller) {
    HttpMethod m = req.method();
    if (route instanceof OciRoute.Base) {
      return req.response()
          .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().encode());
    }
    if (route instanceof OciRoute.Manifest r) {
      UpstreamRoute up = upstream(req, r.name());
      if (m == HttpMethod.PUT) {
        return manifestWrites.put(req, r, up);
      }
      return m == HttpMethod.DELETE
          ? manifestWrites.delete(req, r, up)
          : manifests.fetch(req, r, up, caller.label());
    }
    if (route instanceof OciRoute.Blob r) {
      UpstreamRoute up = upstream(req, r.name());
      return m == HttpMethod.DELETE
          ? blobs.delete(req, r, up)
          : blobs.fetch(req, r, up, caller.label());
    }
    if (route instanceof OciRoute.UploadStart r) {
      return uploads.start(req, r, upstream(req, r.name()), mayMount(req, caller));
    }
    if (route instanceof OciRoute.Upload r) {
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
      return tags.list(req, upstream(req, r.name()));
    }
    OciRoute.Referrers r = (OciRoute.Referrers) route;
    return referrers.list(req, r, upstream(req, r.name()), caller.label());
  }

  /**
   * A cross-repository mount needs pull on {@code from} too; without it the upload goes on as a
   * plain one, as the spec allows.
   */
  private boolean mayMount(HttpServerRequest req, Caller caller) {
    String from = req.getParam("from");
    if (gate == null || from == null || req.getParam("mount") == null) {
      return true;
    }
    if (!RepositoryName.isValid(from)) {
      return false;
    }
    return gate.permits(caller, Action.PULL, from, canonicalName(from));
  }

  private static void allow(HttpMethod method, HttpMethod... allowed) {
    Set<HttpMethod> set = Set.of(allowed);
    if (!set.contains(method)) {
      String list = String.join(", ", Arrays.stream(allowed).map(HttpMethod::name).toList());
      throw OciException.of(
              OciErrorCode.UNSUPPORTED, method + " is not supported here; use " + list)
          .withHeader("Allow", list);
    }
  }

  private UpstreamRoute upstream(HttpServerRequest req, RepositoryName name) {
    return router
        .route(name, req.getParam("ns"))
        .map(route -> route.withRequestId(req.getHeader(RequestObserver.HEADER)))
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
    return forwardDelete(req, route, path, notFound, Future::succeededFuture);
  }

  /**
   * Forwards a DELETE; {@code deleted} runs after the upstream's 202 and before the client's (the
   * caches forget what was deleted, so a read after the answer cannot find it).
   */
  Future<Void> forwardDelete(
      HttpServerRequest req,
      UpstreamRoute route,
      String path,
      OciErrorCode notFound,
      Supplier<Future<Void>> deleted) {
    UpstreamRequest up =
        new UpstreamRequest(
            HttpMethod.DELETE,
            path,
            route.headers(),
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
              return resp.end()
                  .compose(v -> deleted.get())
                  .compose(
                      v -> {
                        var res = ProxyResponses.start(req, resp, 202);
                        res.headers().remove("Content-Length");
                        return res.end();
                      });
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
