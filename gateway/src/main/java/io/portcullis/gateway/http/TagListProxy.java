package io.portcullis.gateway.http;

import io.portcullis.core.oci.Tag;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.Bodies;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/<name>/tags/list} with {@code n}/{@code last} pagination (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags">spec:
 * listing tags</a>). The answer's {@code name} and its {@code Link} header are rewritten to the
 * gateway's name for the repository, and its tags are in lexical order, paginated or not.
 */
final class TagListProxy {
  static final int MAX_PAGE = 10_000;
  private static final int MAX_BODY = 16 * 1024 * 1024;
  private static final Pattern LINK = Pattern.compile("<([^>]*)>(.*)");
  private final RegistryApi api;

  TagListProxy(RegistryApi api) {
    this.api = api;
  }

  Future<Void> list(HttpServerRequest req, UpstreamRoute route) {
    StringBuilder query = new StringBuilder();
    String n = req.getParam("n");
    String last = req.getParam("last");
    if (n != null) {
      if (!n.matches("\\d{1,9}") || Integer.parseInt(n) > MAX_PAGE) {
        return Future.failedFuture(
            OciException.of(
                OciErrorCode.PAGINATION_NUMBER_INVALID,
                "n must be a whole number from 0 to " + MAX_PAGE));
      }
      query.append("?n=").append(n);
    }
    if (last != null) {
      if (!Tag.isValid(last)) {
        return Future.failedFuture(
            OciException.of(OciErrorCode.TAG_INVALID, "last is not a valid tag"));
      }
      query
          .append(query.length() == 0 ? '?' : '&')
          .append("last=")
          .append(URLEncoder.encode(last, StandardCharsets.UTF_8));
    }
    UpstreamRequest up =
        UpstreamRequest.pull(
            req.method(), route.path("tags/list") + query, route.headers(), route.upstreamName());
    return route
        .upstream()
        .send(up)
        .compose(
            resp -> {
              if (resp.statusCode() != 200) {
                return ProxyResponses.relayError(req, resp, OciErrorCode.NAME_UNKNOWN, route);
              }
              String link = resp.getHeader("Link");
              return Bodies.collect(resp, MAX_BODY)
                  .compose(
                      body -> {
                        JsonObject json = read(body, route.upstream().config().name());
                        json.put("name", route.gatewayName().value());
                        var res =
                            req.response()
                                .setStatusCode(200)
                                .putHeader("Content-Type", "application/json")
                                .putHeader("Docker-Distribution-Api-Version", "registry/2.0");
                        String own =
                            paginate(json, n == null ? -1 : Integer.parseInt(n), last, route);
                        String next = own != null ? own : rewriteLink(link, route);
                        if (next != null) {
                          res.putHeader("Link", next);
                        }
                        return res.end(json.encode());
                      });
            });
  }

  /**
   * The upstream's tag list: a JSON object whose {@code tags}, when present, is an array of
   * strings. Anything else is a bad upstream answer (502), never a failure of the gateway's own.
   */
  static JsonObject read(Buffer body, String upstream) {
    try {
      JsonObject json = body.toJsonObject();
      Object tags = json.getValue("tags");
      if (tags == null
          || (tags instanceof JsonArray a && a.stream().allMatch(String.class::isInstance))) {
        return json;
      }
    } catch (RuntimeException unreadable) {
      // refused below
    }
    throw OciException.withStatus(
        OciErrorCode.UNAVAILABLE, 502, "upstream '" + upstream + "' sent an unreadable tag list");
  }

  /**
   * Puts a tag list in lexical order, as the spec's pagination assumes, whatever order the upstream
   * sent (CNCF distribution 2.8 answers unsorted, and ignores {@code n} and {@code last}): keeps
   * the tags after {@code last}, cuts at {@code n} (negative: no limit), and returns the {@code
   * Link} to the next page when it cut, else null. An upstream that paged by itself, in order, is
   * left as it sent its page.
   */
  static String paginate(JsonObject json, int n, String last, UpstreamRoute route) {
    JsonArray tags = json.getJsonArray("tags");
    if (tags == null) {
      return null;
    }
    List<String> sorted =
        tags.stream()
            .map(String::valueOf)
            .filter(t -> last == null || t.compareTo(last) > 0)
            .sorted()
            .toList();
    List<String> page = n < 0 ? sorted : sorted.subList(0, Math.min(n, sorted.size()));
    json.put("tags", new JsonArray(new ArrayList<Object>(page)));
    if (page.size() == sorted.size() || page.isEmpty()) {
      return null;
    }
    return "</v2/"
        + route.gatewayName().value()
        + "/tags/list?n="
        + n
        + "&last="
        + URLEncoder.encode(page.get(page.size() - 1), StandardCharsets.UTF_8)
        + ">; rel=\"next\"";
  }

  /** {@code </v2/<upstream name>/tags/list?...>; rel="next"} to the gateway's name. */
  static String rewriteLink(String link, UpstreamRoute route) {
    if (link == null) {
      return null;
    }
    Matcher m = LINK.matcher(link.trim());
    if (!m.matches()) {
      return null;
    }
    String target = m.group(1);
    int q = target.indexOf('?');
    String query = q < 0 ? "" : target.substring(q);
    return "</v2/" + route.gatewayName().value() + "/tags/list" + query + ">" + m.group(2);
  }
}
