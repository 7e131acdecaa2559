package io.portcullis.core.vet;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Vulnerability severities, lowest first, as Trivy ({@code UNKNOWN LOW MEDIUM HIGH CRITICAL}) and
 * Grype ({@code Negligible Low Medium High Critical Unknown}) write them.
 */
public enum Severity {
  UNKNOWN,
  NEGLIGIBLE,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  /** Reads a scanner's severity, in any case; empty for a name neither scanner writes. */
  public static Optional<Severity> of(String name) {
    try {
      return Optional.of(valueOf(name.strip().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The names accepted by {@code failOn}, for messages. */
  public static String names() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
