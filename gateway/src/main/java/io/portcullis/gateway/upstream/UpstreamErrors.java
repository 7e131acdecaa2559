package io.portcullis.gateway.upstream;

import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * How a non-success upstream answer is told to a client: registry error JSON keeps the upstream's
 * code, message and status; a 401 becomes 403 (the upstream's challenge is for the gateway, not for
 * its clients); a bare status becomes the given not-found code, a 429 with its {@code Retry-After},
 * a 403, or (5xx, and a success or redirect where an error was expected) a 502.
 */
public final class UpstreamErrors {
  /** Error bodies are small; a larger one is not read. */
  public static final int MAX_ERROR_BODY = 64 * 1024;

  private UpstreamErrors() {}

  /**
   * The error for an upstream answer of {@code status} with {@code body} (may be empty): its own
   * registry error when it sent one (below 500), else what the status means.
   */
  public static OciException of(
      int status, String retryAfter, Buffer body, OciErrorCode notFound, UpstreamRoute route) {
    if (status != 401 && isClientError(status)) {
      JsonObject first = firstError(body);
      if (first != null) {
        OciErrorCode code = code(first.getValue("code"));
        Object message = first.getValue("message");
        return OciException.withStatus(
            code, status, message instanceof String s ? s : code.defaultMessage());
      }
    }
    return status(status, retryAfter, notFound, route);
  }

  /** What a bare upstream status means to a client. */
  public static OciException status(
      int status, String retryAfter, OciErrorCode notFound, UpstreamRoute route) {
    String name = route.upstream().config().name();
    if (status == 401) {
      return OciException.of(
          OciErrorCode.DENIED,
          "upstream '"
              + name
              + "' refused access to "
              + route.upstreamName()
              + ": it is private or missing, or the gateway's credentials lack access");
    }
    if (status == 404) {
      return OciException.of(notFound, notFound.defaultMessage());
    }
    if (status == 429) {
      OciException e =
          OciException.of(
              OciErrorCode.TOOMANYREQUESTS, "upstream '" + name + "' is rate-limiting the gateway");
      return retryAfter == null ? e : e.withHeader("Retry-After", retryAfter);
    }
    if (status == 403) {
      return OciException.of(OciErrorCode.DENIED, "upstream '" + name + "' denied the request");
    }
    if (status >= 500) {
      return OciException.withStatus(
          OciErrorCode.UNAVAILABLE, 502, "upstream '" + name + "' failed with HTTP " + status);
    }
    if (!isClientError(status)) {
      // A success or redirect where one was not expected (206 to a manifest GET, 304 to a request
      // with no validators) is the upstream's fault, and not a status to relay: a client would
      // read a 206 or 304 with an error body as something else.
      return OciException.withStatus(
          OciErrorCode.UNAVAILABLE,
          502,
          "upstream '"
              + name
              + "' answered HTTP "
              + status
              + ", which the gateway did not ask for");
    }
    return OciException.withStatus(
        OciErrorCode.UNKNOWN, status, "upstream '" + name + "' answered HTTP " + status);
  }

  /** Whether {@code body} is registry error JSON ({@code {"errors":[...]}}). */
  public static boolean isRegistryError(Buffer body) {
    return firstError(body) != null;
  }

  /**
   * Whether a failure is the upstream's being down or overloaded (5xx, 429, unreachable), when a
   * cache may answer with what it last knew; a refusal or a 404 is not.
   */
  public static boolean isOutage(Throwable err) {
    return err instanceof OciException e && isOutage(e.status());
  }

  /** Whether an upstream status is its being down or overloaded (5xx, 429). */
  public static boolean isOutage(int status) {
    return status >= 500 || status == 429;
  }

  private static boolean isClientError(int status) {
    return status >= 400 && status < 500;
  }

  /**
   * The first entry of a registry error body ({@code {"errors":[...]}}), empty when the list is
   * empty; null when {@code body} is no registry error JSON.
   */
  public static JsonObject firstError(Buffer body) {
    try {
      if (body.length() == 0
          || !(body.toJsonObject().getValue("errors") instanceof JsonArray errors)) {
        return null;
      }
      return !errors.isEmpty() && errors.getValue(0) instanceof JsonObject e ? e : new JsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static OciErrorCode code(Object name) {
    if (name instanceof String s) {
      for (OciErrorCode c : OciErrorCode.values()) {
        if (c.name().equals(s)) {
          return c;
        }
      }
    }
    return OciErrorCode.UNKNOWN;
  }
}
