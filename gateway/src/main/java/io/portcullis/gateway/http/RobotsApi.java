package io.portcullis.gateway.http;

import io.portcullis.gateway.auth.AccountsUnavailableException;
import io.portcullis.gateway.auth.AuthServices;
import io.portcullis.gateway.auth.Identity;
import io.portcullis.gateway.auth.RobotAccounts;
import io.portcullis.gateway.auth.RobotExistsException;
import io.portcullis.gateway.auth.RobotRecord;
import io.portcullis.gateway.auth.RobotStore.CreatedRobot;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The robots admin API on the main listener (issue #15): {@code POST /api/v1/robots} with {@code
 * {"name","role","ttl"}} creates a robot and answers 201 {@code {"name","username","secret",
 * "expiresAt"}} (the secret shown this once), {@code GET /api/v1/robots} lists them (never a secret
 * or hash), {@code DELETE /api/v1/robots/<name>} revokes one (204). Authenticated as every request
 * is and allowed only to identities whose role names the action {@code admin} ({@link
 * AccessGate#checkAdmin}); within the caller's request quota; every call audited with its outcome
 * (never the secret). Works on whichever store {@code auth.robots} names; with the shared state
 * down, 503.
 */
final class RobotsApi {
  static final String PATH = "/api/v1/robots";

  private final AuthServices auth;
  private final AccessGate gate;
  private final QuotaGate quotas;

  RobotsApi(AuthServices auth, AccessGate gate, QuotaGate quotas) {
    this.auth = auth;
    this.gate = gate;
    this.quotas = quotas;
  }

  /** True for the paths this API answers. */
  static boolean handles(String path) {
    return path.equals(PATH) || path.startsWith(PATH + "/");
  }

  Future<Void> handle(HttpServerRequest req) {
    String rest = req.path().substring(PATH.length());
    String what;
    if (rest.isEmpty()) {
      what = req.method() == HttpMethod.POST ? "robots.create" : "robots.list";
      allow(req.method(), "GET, POST", HttpMethod.GET, HttpMethod.POST);
    } else {
      what = "robots.revoke";
      allow(req.method(), "DELETE", HttpMethod.DELETE);
      if (!RobotRecord.isName(rest.substring(1))) {
        throw OciException.of(OciErrorCode.NOT_FOUND, "no such API endpoint: " + PATH + "/<name>");
      }
    }
    Optional<RobotAccounts> store = auth.robots();
    return gate.checkAdmin(req, what)
        .compose(
            caller ->
                quotas.within(
                    req,
                    caller,
                    AccessGate.Need.BASE,
                    false,
                    () -> {
                      if (store.isEmpty()) {
                        throw OciException.withStatus(
                            OciErrorCode.UNSUPPORTED,
                            409,
                            "no robot store is configured: set auth.robots (store: state, or a"
                                + " file)");
                      }
                      return serve(req, caller, what, store.get(), rest)
                          .onFailure(err -> audit(caller, what, "failed", describe(err)));
                    }));
  }

  private Future<Void> serve(
      HttpServerRequest req, Caller caller, String what, RobotAccounts store, String rest) {
    switch (what) {
      case "robots.list":
        return store
            .list()
            .recover(RobotsApi::storeFailure)
            .compose(
                robots -> {
                  Instant now = Instant.now();
                  JsonArray all = new JsonArray();
                  robots.forEach(r -> all.add(new JsonObject(r.listed(now))));
                  audit(caller, what, "listed", robots.size() + " robot(s)");
                  return json(req, 200, new JsonObject().put("robots", all));
                });
      case "robots.revoke":
        String name = rest.substring(1);
        return store
            .revoke(name)
            .recover(RobotsApi::storeFailure)
            .compose(
                found -> {
                  if (!found) {
                    throw OciException.of(
                        OciErrorCode.NAME_UNKNOWN, "no robot named '" + name + "'");
                  }
                  audit(caller, what, "revoked", "robot '" + name + "'");
                  return req.response().setStatusCode(204).end();
                });
      default:
        return readBody(req)
            .map(body -> RobotRequest.parse(body.getBytes(), auth.policy()::hasRole))
            .compose(
                r ->
                    store
                        .create(r.name(), List.of(r.role()), r.scopes(), r.ttl())
                        .recover(RobotsApi::storeFailure))
            .compose(
                made -> {
                  audit(caller, what, "created", describe(made));
                  return json(req, 201, new JsonObject(made.shown()));
                });
    }
  }

  /** The store's refusals and outages as the client should see them. */
  private static <T> Future<T> storeFailure(Throwable err) {
    if (err instanceof RobotExistsException exists) {
      return Future.failedFuture(
          OciException.withStatus(OciErrorCode.UNSUPPORTED, 409, exists.getMessage()));
    }
    if (err instanceof IllegalArgumentException bad) {
      return Future.failedFuture(RobotRequest.invalid(bad.getMessage()));
    }
    if (err instanceof AccountsUnavailableException) {
      return Future.failedFuture(
          OciException.of(
                  OciErrorCode.UNAVAILABLE,
                  "the robot store cannot be reached; nothing was changed, retry shortly ("
                      + err.getMessage()
                      + ")")
              .withHeader("Retry-After", "1"));
    }
    return Future.failedFuture(err);
  }

  /** The body, at most {@link RobotRequest#MAX_BODY} bytes, else 413 (the rest is not read). */
  private static Future<Buffer> readBody(HttpServerRequest req) {
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    req.handler(
        chunk -> {
          if (done.future().isComplete()) {
            return;
          }
          if (body.length() + chunk.length() > RobotRequest.MAX_BODY) {
            req.response().putHeader("Connection", "close");
            done.tryFail(
                OciException.withStatus(
                    OciErrorCode.UNSUPPORTED,
                    413,
                    "the body is larger than " + RobotRequest.MAX_BODY / 1024 + " KiB"));
          } else {
            body.appendBuffer(chunk);
          }
        });
    req.endHandler(v -> done.tryComplete(body));
    req.exceptionHandler(done::tryFail);
    ClientBody.resume(req);
    return done.future();
  }

  private static Future<Void> json(HttpServerRequest req, int status, JsonObject body) {
    return req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body.encode());
  }

  private void audit(Caller caller, String what, String outcome, String message) {
    Identity id = caller.identity().orElseThrow();
    auth.audit()
        .authorization(caller.address(), caller.requestId(), id, what, null, outcome, message);
  }

  /** A created robot for the audit log: never its secret. */
  private static String describe(CreatedRobot made) {
    RobotRecord r = made.robot();
    return "robot '"
        + r.name()
        + "' roles "
        + r.roles()
        + (r.scopes().isEmpty() ? "" : " scopes " + r.scopes())
        + " expires "
        + r.expiresAt();
  }

  private static String describe(Throwable err) {
    OciException oci = ErrorResponder.toOci(err);
    return oci != null ? oci.getMessage() : err.getClass().getSimpleName();
  }

  private static void allow(HttpMethod method, String list, HttpMethod... allowed) {
    for (HttpMethod a : allowed) {
      if (a == method) {
        return;
      }
    }
    throw OciException.of(OciErrorCode.UNSUPPORTED, method + " is not supported here; use " + list)
        .withHeader("Allow", list);
  }
}
