package io.portcullis.core.time;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the human durations used in configuration, policies and CLI options: {@code 500ms}, {@code
 * 30s}, {@code 5m}, {@code 24h}, {@code 7d}.
 */
public final class Durations {
  private static final Pattern SHAPE = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /** The duration, or {@link IllegalArgumentException} saying what is expected. */
  public static Duration parse(String value) {
    Matcher m = SHAPE.matcher(value == null ? "" : value.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration (use e.g. 500ms, 30s, 5m, 24h, 7d)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
