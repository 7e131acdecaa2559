package io.portcullis.core.policy;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A scope glob over repository paths ({@code internal/prod/**}, {@code docker.io/library/*}).
 * {@code *} matches any characters within one {@code /}-separated segment, {@code **} (a whole
 * segment) matches zero or more segments. Everything else matches itself.
 *
 * <p>Specificity decides between policies whose scopes all match: more literal characters wins,
 * then fewer {@code **}, then fewer {@code *}. The counts make the choice independent of file order
 * except for a genuine tie, which {@link TrustPolicy} resolves by file order and the loader refuses
 * when the two patterns are identical.
 */
public record ScopePattern(String glob, Pattern regex, int literals, int doubleStars, int stars) {

  /** Glob characters: repository path characters, {@code :} for a registry port, and {@code *}. */
  private static final Pattern ALLOWED = Pattern.compile("[a-z0-9._\\-/:*]+");

  /** More specific first. */
  public static final Comparator<ScopePattern> MOST_SPECIFIC_FIRST =
      Comparator.comparingInt(ScopePattern::literals)
          .reversed()
          .thenComparingInt(ScopePattern::doubleStars)
          .thenComparingInt(ScopePattern::stars);

  /** Parses {@code glob}, or says what is wrong with it. */
  public static ScopePattern parse(String glob) {
    Optional<String> problem = problem(glob);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
    StringBuilder regex = new StringBuilder();
    String[] segments = glob.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      boolean first = i == 0;
      boolean last = i == segments.length - 1;
      if (segment.equals("**")) {
        // zero or more whole segments, with the separators around them
        if (first && last) {
          regex.append(".*");
        } else if (first) {
          regex.append("(?:[^/]+/)*");
        } else if (last) {
          regex.append("(?:/.*)?");
        } else {
          regex.append("/(?:[^/]+/)*");
        }
        continue;
      }
      if (!first && !segments[i - 1].equals("**")) {
        regex.append('/');
      }
      String[] parts = segment.split("\\*", -1);
      for (int p = 0; p < parts.length; p++) {
        regex.append(p == 0 ? "" : "[^/]*").append(Pattern.quote(parts[p]));
      }
    }
    int doubleStars = (int) java.util.Arrays.stream(segments).filter("**"::equals).count();
    int stars = (int) glob.chars().filter(c -> c == '*').count() - 2 * doubleStars;
    int literals = glob.replace("*", "").length();
    return new ScopePattern(glob, Pattern.compile(regex.toString()), literals, doubleStars, stars);
  }

  /** Empty when {@code glob} is a usable scope; otherwise what to change. */
  static Optional<String> problem(String glob) {
    if (glob == null || glob.isBlank()) {
      return Optional.of(
          "scope is empty; use a repository path glob such as 'team/app/**' or '**'");
    }
    if (!ALLOWED.matcher(glob).matches()) {
      return Optional.of(
          "'"
              + glob
              + "' has characters a repository path cannot contain; use lowercase letters, digits,"
              + " '.', '_', '-', '/', ':' and '*'");
    }
    if (glob.startsWith("/") || glob.endsWith("/") || glob.contains("//")) {
      return Optional.of("'" + glob + "' has an empty path segment; remove the extra '/'");
    }
    if (glob.contains("**/**")) {
      return Optional.of("'" + glob + "' repeats '**'; one '**' already matches any depth");
    }
    for (String segment : glob.split("/")) {
      if (segment.contains("**") && !segment.equals("**")) {
        return Optional.of(
            "'" + glob + "': '**' must be a whole path segment (use '*' within a segment)");
      }
    }
    return Optional.empty();
  }

  /** True when {@code repository} (a path without registry host, e.g. {@code team/app}) matches. */
  public boolean matches(String repository) {
    return regex.matcher(repository).matches();
  }

  @Override
  public String toString() {
    return glob;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ScopePattern p && p.glob.equals(glob);
  }

  @Override
  public int hashCode() {
    return glob.hashCode();
  }
}
