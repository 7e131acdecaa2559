package io.portcullis.gateway.config;

import java.time.Duration;

/** Config durations ({@link io.portcullis.core.time.Durations}), with errors that name the key. */
final class Durations {
  private Durations() {}

  static Duration parse(String value, String key) {
    try {
      return io.portcullis.core.time.Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }
}
