package io.portcullis.core.vet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.dsse.PredicateTypes;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Trivy and Grype reports read from small fixtures; the vuln predicate; SLSA builder ids. */
class ScanReportTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode fixture(String name) {
    try (InputStream in = ScanReportTest.class.getResourceAsStream("/vet/" + name)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0} failOn {1}: ''{2}''")
  @CsvSource(
      delimiter = '|',
      value = {
        "trivy-with-critical.json|CRITICAL|1 CRITICAL",
        "trivy-with-critical.json|HIGH|1 CRITICAL, 1 HIGH",
        "trivy-with-critical.json|LOW|1 CRITICAL, 1 HIGH, 1 MEDIUM, 1 LOW",
        "trivy-clean.json|LOW|''",
        "grype-with-high.json|CRITICAL|''",
        "grype-with-high.json|HIGH|1 HIGH",
        "grype-with-high.json|NEGLIGIBLE|1 HIGH, 1 NEGLIGIBLE",
        "grype-low-only.json|HIGH|''",
        "grype-low-only.json|MEDIUM|1 MEDIUM",
      })
  void severitiesAtOrAboveTheThreshold(String file, Severity failOn, String found) {
    assertEquals(found, ScanReport.parse(fixture(file)).atOrAbove(failOn));
  }

  @Test
  void scannerIsRecognisedByItsReportShape() {
    assertEquals("trivy", ScanReport.parse(fixture("trivy-clean.json")).scanner());
    assertEquals("grype", ScanReport.parse(fixture("grype-low-only.json")).scanner());
    assertEquals(
        Map.of(Severity.HIGH, 1, Severity.NEGLIGIBLE, 1, Severity.UNKNOWN, 1),
        ScanReport.parse(fixture("grype-with-high.json")).counts());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ScanReport.parse(fixture("not-a-report.json")));
    assertTrue(e.getMessage().contains("neither a Trivy"), e.getMessage());
  }

  static ObjectNode vulnPredicate(JsonNode result, String finished, String started) {
    ObjectNode p = JSON.createObjectNode();
    p.putObject("invocation").put("uri", "https://ci.example/run/1");
    ObjectNode scanner = p.putObject("scanner").put("uri", "pkg:github/aquasecurity/trivy");
    scanner.set("result", result);
    ObjectNode metadata = p.putObject("metadata");
    if (started != null) {
      metadata.put("scanStartedOn", started);
    }
    if (finished != null) {
      metadata.put("scanFinishedOn", finished);
    }
    return p;
  }

  @Test
  void vulnPredicateTakesFinishedElseStarted() {
    JsonNode clean = fixture("trivy-clean.json");
    assertEquals(
        Instant.parse("2026-01-02T00:00:00Z"),
        VulnScan.parse(vulnPredicate(clean, "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"))
            .finished()
            .orElseThrow());
    assertEquals(
        Instant.parse("2026-01-01T00:00:00Z"),
        VulnScan.parse(vulnPredicate(clean, null, "2026-01-01T00:00:00Z"))
            .finished()
            .orElseThrow());
    assertTrue(VulnScan.parse(vulnPredicate(clean, "yesterday", null)).finished().isEmpty());
    assertThrows(IllegalArgumentException.class, () -> VulnScan.parse(JSON.createObjectNode()));
  }

  @Test
  void builderIdFromProvenanceV02AndV1() throws IOException {
    JsonNode v02 = JSON.readTree("{\"builder\":{\"id\":\"https://ci.example/b\"}}");
    JsonNode v1 =
        JSON.readTree("{\"runDetails\":{\"builder\":{\"id\":\"https://ci.example/b1\"}}}");
    assertEquals(
        "https://ci.example/b",
        Provenance.builderId(PredicateTypes.SLSA_PROVENANCE_V02, v02).orElseThrow());
    assertEquals(
        "https://ci.example/b1",
        Provenance.builderId(PredicateTypes.SLSA_PROVENANCE_V1, v1).orElseThrow());
    // each version reads only its own field
    assertTrue(Provenance.builderId(PredicateTypes.SLSA_PROVENANCE_V1, v02).isEmpty());
    assertTrue(Provenance.builderId(PredicateTypes.SLSA_PROVENANCE_V02, v1).isEmpty());
  }
}
