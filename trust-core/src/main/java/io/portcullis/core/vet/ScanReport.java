package io.portcullis.core.vet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The severities found by a scanner, read from its own JSON report: Trivy's {@code
 * Results[].Vulnerabilities[].Severity} (<a
 * href="https://aquasecurity.github.io/trivy/latest/docs/configuration/reporting/#json">Trivy
 * JSON</a>) or Grype's {@code matches[].vulnerability.severity} (<a
 * href="https://github.com/anchore/grype#supported-output-formats">Grype JSON</a>).
 *
 * @param scanner {@code trivy} or {@code grype}
 * @param counts findings per severity; a severity the scanner wrote that is not known counts as
 *     {@link Severity#UNKNOWN}
 */
public record ScanReport(String scanner, Map<Severity, Integer> counts) {

  public ScanReport {
    counts = Map.copyOf(counts);
  }

  /** Reads {@code result}; {@link IllegalArgumentException} when it is neither report. */
  public static ScanReport parse(JsonNode result) {
    Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
    if (result.has("Results") || result.has("SchemaVersion") && result.has("ArtifactName")) {
      for (JsonNode target : result.path("Results")) {
        for (JsonNode vulnerability : target.path("Vulnerabilities")) {
          count(counts, vulnerability.path("Severity").asText(""));
        }
      }
      return new ScanReport("trivy", counts);
    }
    if (result.has("matches")) {
      for (JsonNode match : result.path("matches")) {
        count(counts, match.path("vulnerability").path("severity").asText(""));
      }
      return new ScanReport("grype", counts);
    }
    throw new IllegalArgumentException(
        "scanner.result is neither a Trivy report (Results) nor a Grype report (matches)");
  }

  private static void count(Map<Severity, Integer> counts, String severity) {
    counts.merge(Severity.of(severity).orElse(Severity.UNKNOWN), 1, Integer::sum);
  }

  /** Findings at or above {@code threshold}, e.g. {@code 1 CRITICAL, 2 HIGH}; empty when none. */
  public String atOrAbove(Severity threshold) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey().compareTo(threshold) >= 0 && e.getValue() > 0)
        .sorted(Map.Entry.<Severity, Integer>comparingByKey().reversed())
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }
}
