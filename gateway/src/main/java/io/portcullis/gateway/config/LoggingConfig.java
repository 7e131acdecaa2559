package io.portcullis.gateway.config;

import java.util.Locale;

/** How log lines are written: readable {@code text} or one JSON object per line. */
public record LoggingConfig(Format format) {
  public static final LoggingConfig DEFAULT = new LoggingConfig(Format.TEXT);

  /** A log line format. */
  public enum Format {
    TEXT,
    JSON;

    /** The name used in the configuration and in {@code PORTCULLIS_LOG_FORMAT}. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
