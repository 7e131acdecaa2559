package io.portcullis.core.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (<a
 * href="https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1">RFC 9110 §11.6.1</a>), such as the
 * <a href="https://distribution.github.io/distribution/spec/auth/token/">registry token
 * protocol</a>'s {@code Bearer realm="…",service="…",scope="…"}.
 *
 * <p>The scheme is lowercased and parameter names are lowercased, since both are case-insensitive.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

  public AuthChallenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    params = Map.copyOf(params);
  }

  public boolean isBearer() {
    return "bearer".equals(scheme);
  }

  public boolean isBasic() {
    return "basic".equals(scheme);
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
  }

  /**
   * The challenge a registry client answers, of those a {@code WWW-Authenticate} header offers: the
   * first {@code Bearer} with a realm (the token protocol), else the first {@code Basic}; empty
   * when there is neither (absent header, other schemes, a bearer without a realm).
   */
  public static Optional<AuthChallenge> preferred(String header) {
    return preferred(parseAll(header));
  }

  /** As {@link #preferred(String)}, of challenges already parsed. */
  public static Optional<AuthChallenge> preferred(List<AuthChallenge> challenges) {
    return challenges.stream()
        .filter(c -> c.isBearer() && c.param("realm").isPresent())
        .findFirst()
        .or(() -> challenges.stream().filter(AuthChallenge::isBasic).findFirst());
  }

  /**
   * Parses every challenge in a header value. Malformed trailing input ends parsing rather than
   * failing, since a registry's odd header should not hide the challenges it did state clearly.
   */
  public static List<AuthChallenge> parseAll(String header) {
    List<AuthChallenge> challenges = new ArrayList<>();
    if (header == null) {
      return challenges;
    }
    Scanner in = new Scanner(header);
    String scheme = in.token();
    while (scheme != null) {
      Map<String, String> params = new LinkedHashMap<>();
      String next = null;
      while (true) {
        in.skipSeparators();
        String name = in.token();
        if (name == null) {
          break;
        }
        in.skipSpaces();
        if (!in.consume('=')) {
          next = name; // a bare token starts the next challenge
          break;
        }
        in.skipSpaces();
        String value = in.peek() == '"' ? in.quoted() : in.bareValue();
        params.put(name.toLowerCase(Locale.ROOT), value == null ? "" : value);
      }
      challenges.add(new AuthChallenge(scheme, params));
      scheme = next;
    }
    return challenges;
  }

  /** A cursor over the header with just the productions RFC 9110 needs. */
  private static final class Scanner {
    private final String s;
    private int pos;

    Scanner(String s) {
      this.s = s;
    }

    char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    boolean consume(char c) {
      if (peek() == c) {
        pos++;
        return true;
      }
      return false;
    }

    void skipSpaces() {
      while (peek() == ' ' || peek() == '\t') {
        pos++;
      }
    }

    void skipSeparators() {
      while (peek() == ' ' || peek() == '\t' || peek() == ',') {
        pos++;
      }
    }

    String token() {
      skipSeparators();
      int start = pos;
      while (pos < s.length() && isTokenChar(s.charAt(pos))) {
        pos++;
      }
      return pos > start ? s.substring(start, pos) : null;
    }

    String quoted() {
      StringBuilder out = new StringBuilder();
      pos++; // opening quote
      while (pos < s.length()) {
        char c = s.charAt(pos++);
        if (c == '"') {
          return out.toString();
        }
        if (c == '\\' && pos < s.length()) {
          c = s.charAt(pos++);
        }
        out.append(c);
      }
      return out.toString(); // unterminated: take what there is
    }

    /** An unquoted parameter value: lenient, since some servers leave URLs unquoted. */
    String bareValue() {
      int start = pos;
      while (pos < s.length() && s.charAt(pos) != ',' && s.charAt(pos) > ' ') {
        pos++;
      }
      return s.substring(start, pos);
    }

    private static boolean isTokenChar(char c) {
      return c > ' ' && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
  }
}
