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

  /**
   * The name of the first parameter whose name or value is malformed, as it was sent (at most 64
   * characters); empty when every one decodes. Never throws.
   */
  static Optional<String> firstMalformed(String text) {
    if (text == null) {
      return Optional.empty();
    }
    for (String pair : text.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (decode(pair).isEmpty()) {
        return Optional.of(name.length() > 64 ? name.substring(0, 64) : name);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether every {@code %} is followed by two hex digits. {@link URLDecoder} alone is laxer than
   * the server's own decoder: it reads {@code %+a} as a byte, since {@code Integer.parseInt} takes
   * a sign.
   */
  private static boolean wellEscaped(String text) {
    for (int i = text.indexOf('%'); i >= 0; i = text.indexOf('%', i + 1)) {
      if (i + 2 >= text.length() || !isHex(text.charAt(i + 1)) || !isHex(text.charAt(i + 2))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

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
        if (!wellEscaped(pair)) {
          return Optional.empty();
        }
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
