package io.portcullis.gateway.http;

import io.vertx.core.MultiMap;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Decodes {@code application/x-www-form-urlencoded} text (a query string or an OAuth2 form body).
 * Empty for malformed input ({@code %} escapes that are not hex), which callers answer with 400.
 */
final class FormDecoder {
  private FormDecoder() {}

  static Optional<MultiMap> decode(String text) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap();
    if (text == null || text.isEmpty()) {
      return Optional.of(params);
    }
    try {
      for (String pair : text.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        params.add(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    } catch (IllegalArgumentException malformed) {
      return Optional.empty();
    }
    return Optional.of(params);
  }
}
