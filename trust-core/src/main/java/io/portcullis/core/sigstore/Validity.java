package io.portcullis.core.sigstore;

import java.time.Instant;
import java.util.Objects;

/**
 * A {@code validFor} window of the <a
 * href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto">TrustedRoot</a>:
 * from {@code start}, until {@code end} inclusive, or open-ended when {@code end} is null.
 */
public record Validity(Instant start, Instant end) {
  public Validity {
    Objects.requireNonNull(start, "start");
  }

  /** Whether {@code t} falls inside the window. */
  public boolean contains(Instant t) {
    return !t.isBefore(start) && (end == null || !t.isAfter(end));
  }

  @Override
  public String toString() {
    return start + ".." + (end == null ? "" : end);
  }
}
