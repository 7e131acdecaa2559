package io.portcullis.core.vet;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * A cosign vulnerability predicate ({@code https://cosign.sigstore.dev/attestation/vuln/v1}, see
 * cosign {@code pkg/cosign/attestation}): when the scan finished ({@code metadata.scanFinishedOn},
 * else {@code scanStartedOn}) and the scanner's report ({@code scanner.result}).
 */
public record VulnScan(Optional<Instant> finished, ScanReport report) {

  /** Reads the predicate; {@link IllegalArgumentException} saying what is missing. */
  public static VulnScan parse(JsonNode predicate) {
    JsonNode result = predicate.path("scanner").path("result");
    if (!result.isObject()) {
      throw new IllegalArgumentException("vuln predicate has no scanner.result report");
    }
    JsonNode metadata = predicate.path("metadata");
    Optional<Instant> finished = time(metadata.path("scanFinishedOn"));
    if (finished.isEmpty()) {
      finished = time(metadata.path("scanStartedOn"));
    }
    return new VulnScan(finished, ScanReport.parse(result));
  }

  private static Optional<Instant> time(JsonNode node) {
    if (!node.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(node.asText()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
