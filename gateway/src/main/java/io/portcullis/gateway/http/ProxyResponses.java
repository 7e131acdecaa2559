package io.portcullis.gateway.http;

import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.upstream.Bodies;
import io.portcullis.gateway.upstream.UpstreamErrors;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * What the proxy handlers share: which upstream headers reach the client, how upstream locations
 * are turned into gateway ones, and how upstream errors are relayed.
 */
final class ProxyResponses {
  static final List<String> PASSED_HEADERS =
      List.of(
          "Content-Type",
          "Content-Length",
          "Content-Range",
          "Accept-Ranges",
          "Docker-Content-Digest",
          "ETag",
          "Range",
          "OCI-Subject",
          "OCI-Filters-Applied",
          "OCI-Chunk-Min-Length",
          "Retry-After",
          "Warning");

  private ProxyResponses() {}

  static HttpServerResponse start(HttpServerRequest req, HttpClientResponse upstream, int status) {
    HttpServerResponse res = req.response().setStatusCode(status);
    for (String name : PASSED_HEADERS) {
      String value = upstream.getHeader(name);
      if (value != null) {
        res.putHeader(name, value);
      }
    }
    return res.putHeader("Docker-Distribution-Api-Version", "registry/2.0");
  }

  /** The base URL clients use to reach the gateway: the configured one or the request's Host. */
  static String publicBase(HttpServerRequest req, java.util.Optional<URI> configured) {
    if (configured.isPresent()) {
      String s = configured.get().toString();
      return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
    String host = req.getHeader("Host");
    if (host == null || host.isBlank()) {
      host = req.localAddress().host() + ":" + req.localAddress().port();
    }
    return req.scheme() + "://" + host;
  }

  /**
   * Rewrites an upstream location under {@code /v2/<upstream name>/} to the same resource under the
   * gateway name; anything else (another host, another path, a malformed URL) is not a location a
   * client of the gateway may follow, so null.
   */
  static String gatewayLocation(String upstreamLocation, UpstreamRoute route, String base) {
    if (upstreamLocation == null) {
      return null;
    }
    URI parsed;
    try {
      parsed = new URI(upstreamLocation);
    } catch (URISyntaxException malformed) {
      return null;
    }
    String path = parsed.getRawPath();
    String query = parsed.getRawQuery();
    String prefix = "/v2/" + route.upstreamName() + "/";
    if (path == null || !path.startsWith(prefix)) {
      return null;
    }
    return base
        + "/v2/"
        + route.gatewayName().value()
        + "/"
        + path.substring(prefix.length())
        + (query == null ? "" : "?" + query);
  }

  /**
   * Answers 201 for something now in place upstream (a manifest pushed, an upload closed, a blob
   * mounted), with its location under the gateway's name; anything but 201 is relayed as an error.
   */
  static Future<Void> relayCreated(
      HttpServerRequest req,
      HttpClientResponse upstream,
      UpstreamRoute route,
      String base,
      OciErrorCode otherwise) {
    if (upstream.statusCode() != 201) {
      return relayError(req, upstream, otherwise, route);
    }
    return upstream.end().compose(v -> answerCreated(req, upstream, route, base));
  }

  /**
   * Answers 201 as {@code upstream} (a 201 whose body was already read) did, its {@code Location}
   * rewritten to this gateway. The upstream body is not ended a second time: Vert.x 5.0 refuses
   * that with an exception.
   */
  static Future<Void> answerCreated(
      HttpServerRequest req, HttpClientResponse upstream, UpstreamRoute route, String base) {
    HttpServerResponse res = start(req, upstream, 201);
    res.headers().remove("Content-Length");
    String location = gatewayLocation(upstream.getHeader("Location"), route, base);
    if (location != null) {
      res.putHeader("Location", location);
    }
    return res.end();
  }

  /**
   * Relays a non-success upstream answer as {@link UpstreamErrors} describes: registry error JSON
   * (below 500) passed through as it came, anything else as what its status means.
   */
  static Future<Void> relayError(
      HttpServerRequest req,
      HttpClientResponse upstream,
      OciErrorCode notFound,
      UpstreamRoute route) {
    int status = upstream.statusCode();
    String retryAfter = upstream.getHeader("Retry-After");
    if (status == 401 || req.method() == HttpMethod.HEAD) {
      return upstream
          .end()
          .compose(
              v -> Future.failedFuture(UpstreamErrors.status(status, retryAfter, notFound, route)));
    }
    return Bodies.collect(upstream, UpstreamErrors.MAX_ERROR_BODY)
        .recover(err -> Future.succeededFuture(Buffer.buffer()))
        .compose(
            body -> {
              // Only a refusal is relayed as is: a 2xx/3xx or 5xx is what its status means.
              JsonObject first = UpstreamErrors.firstError(body);
              if (status >= 400 && status < 500 && first != null) {
                HttpServerResponse res = start(req, upstream, status);
                res.putHeader("Content-Type", "application/json");
                res.headers().remove("Content-Length");
                if (!first.isEmpty()) {
                  res.putHeader(
                      ErrorResponder.HEADER,
                      ErrorResponder.headerValue(
                          String.valueOf(first.getValue("code")),
                          String.valueOf(first.getValue("message"))));
                }
                return res.end(body);
              }
              return Future.failedFuture(
                  UpstreamErrors.status(status, retryAfter, notFound, route));
            });
  }

  static JsonObject json(Buffer body) {
    return body.toJsonObject();
  }
}
