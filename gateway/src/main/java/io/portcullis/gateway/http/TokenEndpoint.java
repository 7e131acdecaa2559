package io.portcullis.gateway.http;

import io.portcullis.gateway.auth.AccessPolicy;
import io.portcullis.gateway.auth.AccountsUnavailableException;
import io.portcullis.gateway.auth.AuthServices;
import io.portcullis.gateway.auth.Identity;
import io.portcullis.gateway.auth.Quotas;
import io.portcullis.gateway.auth.Scope;
import io.portcullis.gateway.auth.TokenService;
import io.portcullis.gateway.config.AccessRule.Action;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code /token}: the <a href="https://distribution.github.io/distribution/spec/auth/token/">token
 * endpoint</a> ({@code GET} with optional Basic credentials and {@code scope} parameters) and its
 * <a href="https://distribution.github.io/distribution/spec/auth/oauth/">OAuth2 form</a> ({@code
 * POST}, {@code grant_type=password} or {@code refresh_token}; a refresh token is issued for {@code
 * access_type=offline}, or {@code offline_token=true} on GET). The token grants each requested
 * repository scope intersected with what the identity may do. Failed authentication is 401 with a
 * {@code Basic} challenge and an OAuth2-style error body; a malformed request is 400, never 500.
 */
final class TokenEndpoint {
  private static final int MAX_FORM = 64 * 1024;

  private final Vertx vertx;
  private final AuthServices auth;
  private final Function<String, String> canonical;

  /** {@code canonical} maps a repository name to the path the rules match (the router's view). */
  TokenEndpoint(Vertx vertx, AuthServices auth, Function<String, String> canonical) {
    this.vertx = vertx;
    this.auth = auth;
    this.canonical = canonical;
  }

  Future<Void> handle(HttpServerRequest req) {
    if (req.method() == HttpMethod.GET) {
      ClientBody.resume(req);
      Optional<MultiMap> params = FormDecoder.decode(req.query());
      if (params.isEmpty()) {
        return fail(req, 400, "invalid_request", "malformed query string");
      }
      return withService(req, params.get(), this::get);
    }
    if (req.method() == HttpMethod.POST) {
      return readForm(req)
          .transform(
              read -> {
                if (read.failed()) {
                  if (!ErrorResponder.malformedBody(read.cause())) {
                    return Future.failedFuture(read.cause());
                  }
                  // What follows on this connection cannot be parsed as requests.
                  req.response().putHeader("Connection", "close");
                  Future<Void> answered =
                      fail(
                          req,
                          400,
                          "invalid_request",
                          "the request body is malformed HTTP (chunked encoding)");
                  ErrorResponder.flushBeforeClose(req);
                  return answered;
                }
                return read.result().isEmpty()
                    ? fail(
                        req,
                        400,
                        "invalid_request",
                        "the body must be an application/x-www-form-urlencoded form of at most 64 KiB")
                    : withService(req, read.result().get(), this::post);
              });
    }
    req.response().putHeader("Allow", "GET, POST");
    return fail(req, 405, "invalid_request", "use GET or POST");
  }

  private Future<Void> get(HttpServerRequest req, MultiMap params) {
    List<Scope> scopes = Scope.parseAll(params.getAll("scope"));
    boolean offline = "true".equals(params.get("offline_token"));
    String header = req.getHeader("Authorization");
    if (header == null) {
      if (!auth.policy().anonymousEnabled()) {
        audit(req, null, "anonymous", false, "anonymous access is not enabled");
        return fail(req, 401, "invalid_client", "authentication required");
      }
      return respond(req, AccessPolicy.anonymous(), scopes, false);
    }
    if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
      audit(req, null, "other", false, "the token endpoint takes Basic credentials");
      return fail(req, 401, "invalid_client", "use Basic credentials");
    }
    Optional<String[]> pair = AccessGate.BasicCredentials.decode(header.substring(6).strip());
    if (pair.isEmpty()) {
      audit(req, null, "basic", false, "malformed Basic credentials");
      return fail(req, 401, "invalid_client", "malformed Basic credentials");
    }
    return password(req, pair.get()[0], pair.get()[1], "basic", scopes, offline);
  }

  private Future<Void> post(HttpServerRequest req, MultiMap form) {
    List<Scope> scopes = Scope.parseAll(form.getAll("scope"));
    boolean offline = "offline".equals(form.get("access_type"));
    String grant = form.get("grant_type");
    if ("password".equals(grant)) {
      String user = form.get("username");
      String password = form.get("password");
      if (user == null || password == null) {
        return fail(req, 400, "invalid_request", "grant_type=password needs username and password");
      }
      return password(req, user, password, "password", scopes, offline);
    }
    if ("refresh_token".equals(grant)) {
      String refresh = form.get("refresh_token");
      if (refresh == null) {
        return fail(req, 400, "invalid_request", "grant_type=refresh_token needs refresh_token");
      }
      return vertx
          .executeBlocking(() -> auth.tokens().verifyRefresh(refresh), false)
          .compose(
              id -> {
                Optional<Identity> current =
                    id.filter(auth.authenticator()::stillKnown).flatMap(this::current);
                audit(
                    req,
                    current.map(Identity::subject).orElse(null),
                    "refresh_token",
                    current.isPresent(),
                    current.isPresent()
                        ? null
                        : "refresh token invalid, expired or its subject gone");
                if (current.isEmpty()) {
                  return fail(req, 401, "invalid_grant", "the refresh token is invalid or expired");
                }
                return respond(req, current.get(), scopes, offline);
              });
    }
    return fail(req, 400, "unsupported_grant_type", "grant_type must be password or refresh_token");
  }

  /**
   * A user's roles come from the current configuration and a robot's from the robots file, not from
   * the old token.
   */
  private Optional<Identity> current(Identity id) {
    return id.kind() == Identity.Kind.USER
        ? Optional.of(auth.policy().user(id.subject()))
        : auth.authenticator().current(id);
  }

  private Future<Void> password(
      HttpServerRequest req,
      String user,
      String password,
      String method,
      List<Scope> scopes,
      boolean offline) {
    return AccessGate.verify(vertx, auth, req, user, password)
        .transform(
            ar -> {
              if (ar.failed() && ar.cause() instanceof AccessGate.LoginThrottled t) {
                req.response().putHeader("Retry-After", t.retryAfter());
                return fail(req, 429, "too_many_requests", t.getMessage());
              }
              if (ar.failed() && ar.cause() instanceof AccountsUnavailableException e) {
                req.response().putHeader("Retry-After", "1");
                return fail(req, 503, "temporarily_unavailable", e.getMessage());
              }
              if (ar.failed()) {
                return Future.failedFuture(ar.cause());
              }
              Optional<Identity> id = ar.result();
              // An OIDC login is recorded under the token's subject, not the user name "oidc".
              audit(
                  req,
                  id.map(Identity::subject).orElse(user),
                  method,
                  id.isPresent(),
                  id.isPresent() ? null : "unknown user or wrong password");
              if (id.isEmpty()) {
                return fail(req, 401, "invalid_grant", "unknown user or wrong password");
              }
              return respond(req, id.get(), scopes, offline);
            });
  }

  private Future<Void> respond(
      HttpServerRequest req, Identity id, List<Scope> requested, boolean offline) {
    String address = AccessGate.address(req);
    String requestId = RequestObserver.id(req);
    // A token request counts against the identity's request rate like any /v2/ request.
    Optional<Duration> wait = auth.quotas().admitRequest(id, address);
    if (wait.isPresent()) {
      long seconds = Quotas.retryAfterSeconds(wait.get());
      String why = QuotaGate.overRequestRate(auth.quotas(), id);
      auth.audit().authorization(address, requestId, id, "token", null, "throttled", why);
      req.response().putHeader("Retry-After", Long.toString(seconds));
      return fail(req, 429, "too_many_requests", why + "; retry in " + seconds + " s");
    }
    List<Scope> granted = new ArrayList<>();
    for (Scope s : requested) {
      Set<Action> asked = s.repositoryActions();
      if (asked.isEmpty()) {
        continue;
      }
      String repository = canonical.apply(s.name());
      Set<Action> allowed = auth.policy().allowed(id, repository);
      allowed.retainAll(asked);
      for (Action a : asked) {
        auth.audit()
            .authorization(
                address,
                requestId,
                id,
                a.wire(),
                repository,
                allowed.contains(a) ? "granted" : "not-granted",
                "token request");
      }
      if (!allowed.isEmpty()) {
        granted.add(Scope.repository(s.name(), allowed));
      }
    }
    TokenService.Issued issued = auth.tokens().issue(id, granted);
    JsonObject body =
        new JsonObject()
            .put("token", issued.token())
            .put("access_token", issued.token())
            .put("expires_in", issued.expiresIn().toSeconds())
            .put("issued_at", DateTimeFormatter.ISO_INSTANT.format(issued.issuedAt()));
    if (!granted.isEmpty()) {
      body.put("scope", String.join(" ", granted.stream().map(Scope::toString).toList()));
    }
    if (offline && id.kind() != Identity.Kind.ANONYMOUS) {
      body.put("refresh_token", auth.tokens().refreshToken(id));
    }
    return req.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }

  /** Runs {@code grant} unless the request names a service other than this one (400). */
  private Future<Void> withService(
      HttpServerRequest req,
      MultiMap params,
      BiFunction<HttpServerRequest, MultiMap, Future<Void>> grant) {
    String service = params.get("service");
    if (service != null && !service.equals(TokenService.SERVICE)) {
      return fail(
          req,
          400,
          "invalid_request",
          "unknown service; this one is '" + TokenService.SERVICE + "'");
    }
    return grant.apply(req, params);
  }

  private void audit(
      HttpServerRequest req, String subject, String method, boolean ok, String message) {
    auth.audit()
        .authentication(
            AccessGate.address(req), RequestObserver.id(req), subject, null, method, ok, message);
  }

  /** An OAuth2 error body (RFC 6749 section 5.2) with the OCI error list beside it. */
  private static Future<Void> fail(
      HttpServerRequest req, int status, String error, String message) {
    String code =
        switch (status) {
          case 401 -> "UNAUTHORIZED";
          case 429 -> "TOOMANYREQUESTS";
          case 503 -> "UNAVAILABLE";
          default -> "UNSUPPORTED";
        };
    JsonObject body =
        new JsonObject()
            .put("error", error)
            .put("error_description", message)
            .put(
                "errors",
                new JsonArray().add(new JsonObject().put("code", code).put("message", message)));
    var res =
        req.response()
            .setStatusCode(status)
            .putHeader("Content-Type", "application/json")
            .putHeader(ErrorResponder.HEADER, ErrorResponder.headerValue(code, message));
    if (status == 401) {
      res.putHeader("WWW-Authenticate", "Basic realm=\"" + TokenService.SERVICE + "\"");
    }
    return res.end(body.encode());
  }

  /** The form body, or empty when it is too large or malformed. */
  private static Future<Optional<MultiMap>> readForm(HttpServerRequest req) {
    Promise<Optional<MultiMap>> done = Promise.promise();
    Buffer body = Buffer.buffer();
    req.handler(
        chunk -> {
          if (done.future().isComplete()) {
            return;
          }
          if (body.length() + chunk.length() > MAX_FORM) {
            req.response().putHeader("Connection", "close");
            done.tryComplete(Optional.empty());
          } else {
            body.appendBuffer(chunk);
          }
        });
    req.endHandler(
        v -> done.tryComplete(FormDecoder.decode(body.toString(StandardCharsets.UTF_8))));
    req.exceptionHandler(done::tryFail);
    ClientBody.resume(req);
    return done.future();
  }
}
