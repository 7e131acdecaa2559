package io.portcullis.gateway.upstream;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code WWW-Authenticate} challenge (RFC 7235), as registries send them: {@code Bearer
 * realm="...",service="...",scope="..."} for the <a
 * href="https://distribution.github.io/distribution/spec/auth/token/">registry token protocol</a>
 * or {@code Basic realm="..."}.
 */
public record Challenge(String scheme, Map<String, String> params) {

  public static final Challenge NONE = new Challenge("none", Map.of());

  public Challenge {
    params = Map.copyOf(params);
  }

  public boolean isBearer() {
    return scheme.equals("bearer");
  }

  public boolean isBasic() {
    return scheme.equals("basic");
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name));
  }

  /** Parses one challenge; empty when the header is absent or not understood. */
  public static Optional<Challenge> parse(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String h = header.strip();
    int sp = h.indexOf(' ');
    String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(Locale.ROOT);
    if (!scheme.equals("bearer") && !scheme.equals("basic")) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    int i = sp < 0 ? h.length() : sp + 1;
    while (i < h.length()) {
      while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
        i++;
      }
      int eq = h.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String key = h.substring(i, eq).strip().toLowerCase(Locale.ROOT);
      i = eq + 1;
      String value;
      if (i < h.length() && h.charAt(i) == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (i < h.length() && h.charAt(i) != '"') {
          if (h.charAt(i) == '\\' && i + 1 < h.length()) {
            i++;
          }
          sb.append(h.charAt(i++));
        }
        i++;
        value = sb.toString();
      } else {
        int end = h.indexOf(',', i);
        end = end < 0 ? h.length() : end;
        value = h.substring(i, end).strip();
        i = end;
      }
      params.put(key, value);
    }
    if (scheme.equals("bearer") && !params.containsKey("realm")) {
      return Optional.empty();
    }
    return Optional.of(new Challenge(scheme, params));
  }
}
