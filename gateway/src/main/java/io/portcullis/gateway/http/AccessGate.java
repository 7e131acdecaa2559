package io.portcullis.gateway.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.gateway.auth.AccessPolicy;
import io.portcullis.gateway.auth.AccessToken;
import io.portcullis.gateway.auth.AccountsUnavailableException;
import io.portcullis.gateway.auth.AuthServices;
import io.portcullis.gateway.auth.FailedLogins;
import io.portcullis.gateway.auth.Identity;
import io.portcullis.gateway.auth.TokenService;
import io.portcullis.gateway.config.AccessRule.Action;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Access control for every {@code /v2/} request, as the <a
 * href="https://distribution.github.io/distribution/spec/auth/token/">registry token
 * authentication</a> flow expects: a request without credentials, with an invalid token, or with a
 * token that lacks the scope the identity could have gets {@code 401} and a {@code Bearer}
 * challenge naming the scope to ask for; an identity that may not take the action at all gets
 * {@code 403 DENIED}. Basic credentials are accepted directly too. The identity's rights are
 * re-evaluated on every request against the canonical repository path, so a token never grants more
 * than the current configuration allows.
 */
final class AccessGate {
  private static final Pattern SAFE_HOST = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]]+");
  private static final Duration LEEWAY = Duration.ofSeconds(30);

  /**
   * What a request needs: {@code action} on {@code repository} (the canonical path rules match),
   * asked for by the client as {@code pathName}; a null action for {@code /v2/} itself.
   */
  record Need(String pathName, String repository, Action action) {
    static final Need BASE = new Need(null, null, null);
  }

  private final Vertx vertx;
  private final AuthServices auth;
  private final Function<HttpServerRequest, String> publicBase;
  private final Cache<String, AccessToken> verified =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();

  AccessGate(Vertx vertx, AuthServices auth, Function<HttpServerRequest, String> publicBase) {
    this.vertx = vertx;
    this.auth = auth;
    this.publicBase = publicBase;
  }

  /** The caller when it may proceed; otherwise fails with the 401 or 403 to send. */
  Future<Caller> check(HttpServerRequest req, Need need) {
    String address = address(req);
    return authenticate(req, address, need).map(caller -> authorize(req, caller, need));
  }

  /**
   * The caller when it may use the robots admin API ({@code what}, e.g. {@code robots.create}):
   * authenticated as every request is (Basic or a bearer token of ours, whose repository scopes do
   * not matter here), then allowed only when one of its roles names the action {@code admin}
   * ({@link AccessPolicy#admin}). Without credentials: 401 with the registry's challenge; not an
   * admin: 403. Both audited.
   */
  Future<Caller> checkAdmin(HttpServerRequest req, String what) {
    String address = address(req);
    return authenticate(req, address, Need.BASE)
        .map(
            caller -> {
              Identity id = caller.identity().orElseThrow();
              if (id.kind() == Identity.Kind.ANONYMOUS) {
                audit(caller, what, Need.BASE, "challenged", "the robots API needs credentials");
                throw challenge(req, Need.BASE, null, "authentication required");
              }
              if (!auth.policy().admin(id)) {
                audit(caller, what, Need.BASE, "denied", "no role grants admin");
                throw OciException.of(
                    OciErrorCode.DENIED,
                    "'"
                        + id.subject()
                        + "' may not manage robots (no role has a rule with the action admin)");
              }
              audit(caller, what, Need.BASE, "allowed", null);
              return caller;
            });
  }

  /**
   * True when {@code caller} may pull {@code repository} too (cross-repository mounts); audited.
   */
  boolean permits(Caller caller, Action action, String pathName, String repository) {
    Identity id = caller.identity().orElseThrow();
    boolean ok =
        auth.policy().allowed(id, repository).contains(action)
            && caller.token().map(t -> t.grants(pathName, action)).orElse(true);
    auth.audit()
        .authorization(
            caller.address(),
            caller.requestId(),
            id,
            action.wire(),
            repository,
            ok ? "allowed" : "denied",
            ok ? "mount source" : "mount source not readable: plain upload instead");
    return ok;
  }

  private Caller authorize(HttpServerRequest req, Caller caller, Need need) {
    Identity id = caller.identity().orElseThrow();
    boolean anonymous = id.kind() == Identity.Kind.ANONYMOUS;
    if (need.action() == null) {
      if (anonymous && !auth.policy().anonymousEnabled()) {
        audit(caller, "login", need, "challenged", "anonymous access is not enabled");
        throw challenge(req, need, null, "authentication required");
      }
      audit(caller, "login", need, "allowed", null);
      return caller;
    }
    String action = need.action().wire();
    if (!auth.policy().allowed(id, need.repository()).contains(need.action())) {
      if (anonymous) {
        audit(caller, action, need, "challenged", "anonymous access does not cover this");
        throw challenge(
            req, need, null, "authentication required to " + action + " " + need.pathName());
      }
      audit(caller, action, need, "denied", "no role allows it");
      throw OciException.of(
          OciErrorCode.DENIED,
          "'"
              + id.subject()
              + "' may not "
              + action
              + " "
              + need.pathName()
              + " (no role allows it)");
    }
    if (caller.token().isPresent()
        && !caller.token().get().grants(need.pathName(), need.action())) {
      audit(caller, action, need, "challenged", "token lacks the scope");
      throw challenge(
          req,
          need,
          "insufficient_scope",
          "the token does not grant " + action + " on " + need.pathName());
    }
    audit(caller, action, need, "allowed", null);
    return caller;
  }

  private Future<Caller> authenticate(HttpServerRequest req, String address, Need need) {
    String header = req.getHeader("Authorization");
    if (header == null) {
      // No credentials at all: the client is sent to the token endpoint, as docker and skopeo
      // expect, even where anonymous access would do (it gets an anonymous token there).
      auth.audit()
          .authorization(
              address,
              RequestObserver.id(req),
              AccessPolicy.anonymous(),
              need.action() == null ? "login" : need.action().wire(),
              need.repository(),
              "challenged",
              "no credentials");
      return Future.failedFuture(challenge(req, need, null, "authentication required"));
    }
    int space = header.indexOf(' ');
    String scheme = space < 0 ? header : header.substring(0, space);
    String value = space < 0 ? "" : header.substring(space + 1).strip();
    if (scheme.equalsIgnoreCase("Bearer")) {
      return bearer(req, address, value, need);
    }
    if (scheme.equalsIgnoreCase("Basic")) {
      return basic(req, address, value, need);
    }
    auth.audit()
        .authentication(
            address,
            RequestObserver.id(req),
            null,
            null,
            scheme.length() > 16 ? "other" : scheme,
            false,
            "unsupported scheme");
    return Future.failedFuture(
        challenge(req, need, null, "use a bearer token or Basic credentials"));
  }

  private Future<Caller> bearer(HttpServerRequest req, String address, String token, Need need) {
    String requestId = RequestObserver.id(req);
    AccessToken cached = verified.getIfPresent(token);
    Future<Optional<AccessToken>> result =
        cached != null
            ? Future.succeededFuture(Optional.of(cached))
            : vertx.executeBlocking(
                () -> {
                  Optional<AccessToken> t = auth.tokens().verifyAccess(token);
                  t.ifPresent(v -> verified.put(token, v));
                  auth.audit()
                      .authentication(
                          address,
                          requestId,
                          t.map(v -> v.identity().subject()).orElse(null),
                          t.map(v -> v.identity().kind().name()).orElse(null),
                          "bearer",
                          t.isPresent(),
                          t.isPresent() ? null : "token invalid, expired or not ours");
                  return t;
                },
                false);
    return result.compose(
        t -> {
          if (t.isEmpty() || t.get().expiry().plus(LEEWAY).isBefore(Instant.now())) {
            return Future.failedFuture(
                challenge(req, need, "invalid_token", "the bearer token is invalid or expired"));
          }
          // A robot revoked or expired since its token was issued loses the token at once.
          Identity issuedTo = t.get().identity();
          Optional<Identity> now = auth.authenticator().current(issuedTo);
          if (now.isEmpty()) {
            auth.audit()
                .authentication(
                    address,
                    requestId,
                    issuedTo.subject(),
                    issuedTo.kind().name(),
                    "bearer",
                    false,
                    "the robot was revoked or has expired");
            return Future.failedFuture(
                challenge(req, need, "invalid_token", "the bearer token's account is not active"));
          }
          return Future.succeededFuture(new Caller(address, requestId, now, t));
        });
  }

  /**
   * Checks a user name and password on a worker thread (bcrypt and robot hashes are slow by
   * design); the copy of the password is wiped once checked. Unless too many logins from the
   * client's address or for the user name have failed lately ({@link FailedLogins}): then it fails
   * with {@link LoginThrottled}, audited, without checking anything.
   */
  static Future<Optional<Identity>> verify(
      Vertx vertx, AuthServices auth, HttpServerRequest req, String user, String password) {
    String address = address(req);
    return auth.failedLogins()
        .admit(address, user)
        .compose(admission -> check(vertx, auth, req, address, user, password, admission));
  }

  private static Future<Optional<Identity>> check(
      Vertx vertx,
      AuthServices auth,
      HttpServerRequest req,
      String address,
      String user,
      String password,
      FailedLogins.Admission admission) {
    if (admission.refusal().isPresent()) {
      FailedLogins.Refusal r = admission.refusal().get();
      LoginThrottled throttled =
          new LoginThrottled(
              r.reason() + "; retry in " + r.retryAfterSeconds() + " s", r.retryAfterSeconds());
      auth.audit().throttledLogin(address, RequestObserver.id(req), user, throttled.getMessage());
      return Future.failedFuture(throttled);
    }
    FailedLogins.Attempt attempt = admission.attempt().orElseThrow();
    char[] secret = password.toCharArray();
    return vertx
        .executeBlocking(
            () -> {
              try {
                return auth.authenticator().verify(user, secret);
              } finally {
                Arrays.fill(secret, '\0');
              }
            },
            false)
        .transform(
            ar -> {
              if (ar.succeeded() && ar.result().isEmpty()) {
                // answered once the fleet counts it, so no guess elsewhere slips in before
                return attempt.failed().map(ar.result());
              }
              // a login that could not be checked (AccountsUnavailableException) is not counted
              attempt.ended();
              if (ar.failed() && ar.cause() instanceof AccountsUnavailableException e) {
                auth.audit()
                    .authentication(
                        address,
                        RequestObserver.id(req),
                        user,
                        null,
                        "login",
                        false,
                        e.getMessage());
              }
              return ar.succeeded()
                  ? Future.succeededFuture(ar.result())
                  : Future.failedFuture(ar.cause());
            });
  }

  /** The 503 for a login that could not be checked: never an allow, and the client may retry. */
  static OciException unavailable(AccountsUnavailableException e) {
    return OciException.of(OciErrorCode.UNAVAILABLE, e.getMessage()).withHeader("Retry-After", "1");
  }

  /** A login refused by the failed-login limit; its message names the limit, never a secret. */
  static final class LoginThrottled extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    LoginThrottled(String message, long retryAfterSeconds) {
      super(message, null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    String retryAfter() {
      return Long.toString(retryAfterSeconds);
    }
  }

  private Future<Caller> basic(HttpServerRequest req, String address, String value, Need need) {
    Optional<String[]> pair = BasicCredentials.decode(value);
    if (pair.isEmpty()) {
      auth.audit()
          .authentication(
              address,
              RequestObserver.id(req),
              null,
              null,
              "basic",
              false,
              "malformed Basic credentials");
      return Future.failedFuture(challenge(req, need, null, "malformed Basic credentials"));
    }
    String user = pair.get()[0];
    return verify(vertx, auth, req, user, pair.get()[1])
        .transform(
            ar -> {
              if (ar.failed()) {
                if (ar.cause() instanceof AccountsUnavailableException e) {
                  return Future.failedFuture(unavailable(e));
                }
                return Future.failedFuture(
                    ar.cause() instanceof LoginThrottled t
                        ? OciException.of(OciErrorCode.TOOMANYREQUESTS, t.getMessage())
                            .withHeader("Retry-After", t.retryAfter())
                        : ar.cause());
              }
              Optional<Identity> id = ar.result();
              auth.audit()
                  .authentication(
                      address,
                      RequestObserver.id(req),
                      user,
                      id.map(i -> i.kind().name()).orElse(null),
                      "basic",
                      id.isPresent(),
                      id.isPresent() ? null : "unknown user or wrong password");
              if (id.isEmpty()) {
                return Future.failedFuture(
                    challenge(req, need, null, "unknown user or wrong password"));
              }
              return Future.succeededFuture(
                  new Caller(address, RequestObserver.id(req), id, Optional.empty()));
            });
  }

  private void audit(Caller caller, String action, Need need, String outcome, String message) {
    auth.audit()
        .authorization(
            caller.address(),
            caller.requestId(),
            caller.identity().orElseThrow(),
            action,
            need.repository(),
            outcome,
            message);
  }

  private OciException challenge(HttpServerRequest req, Need need, String error, String message) {
    StringBuilder h =
        new StringBuilder("Bearer realm=\"")
            .append(realm(req))
            .append("\",service=\"")
            .append(TokenService.SERVICE)
            .append('"');
    if (need.action() != null) {
      String actions = need.action() == Action.PUSH ? "pull,push" : need.action().wire();
      h.append(",scope=\"repository:")
          .append(need.pathName())
          .append(':')
          .append(actions)
          .append('"');
    }
    if (error != null) {
      h.append(",error=\"").append(error).append('"');
    }
    return OciException.of(OciErrorCode.UNAUTHORIZED, message)
        .withHeader("WWW-Authenticate", h.toString());
  }

  /** The token endpoint's URL; a Host header that could break out of the quotes is not used. */
  String realm(HttpServerRequest req) {
    String host = req.getHeader("Host");
    if (host != null && !SAFE_HOST.matcher(host).matches()) {
      return req.scheme()
          + "://"
          + req.localAddress().host()
          + ":"
          + req.localAddress().port()
          + "/token";
    }
    return publicBase.apply(req) + "/token";
  }

  static String address(HttpServerRequest req) {
    return req.remoteAddress() == null ? "unknown" : req.remoteAddress().host();
  }

  /** Decodes the value of a Basic {@code Authorization} header into user and password. */
  static final class BasicCredentials {
    private BasicCredentials() {}

    static Optional<String[]> decode(String value) {
      try {
        String text = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        if (colon <= 0) {
          return Optional.empty();
        }
        return Optional.of(new String[] {text.substring(0, colon), text.substring(colon + 1)});
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
  }
}
