package io.portcullis.testkit;

import java.time.Instant;

/** Cosign vuln attestation predicates for tests of the vetting rules. */
public final class VulnPredicates {
  private VulnPredicates() {}

  /**
   * A cosign vuln predicate whose {@code scanner.result} is a Trivy JSON report that finished at
   * {@code at}, with one finding of {@code severity} (none when null).
   */
  public static String trivy(String severity, Instant at) {
    String vulnerabilities =
        severity == null
            ? ""
            : ", \"Vulnerabilities\": [{\"VulnerabilityID\": \"CVE-2024-0001\", \"PkgName\":"
                + " \"openssl\", \"Severity\": \""
                + severity
                + "\"}]";
    return "{\"invocation\": {\"uri\": \"https://ci.example/1\"},"
        + " \"scanner\": {\"uri\": \"pkg:github/aquasecurity/trivy@0.50.0\", \"version\":"
        + " \"0.50.0\", \"result\": {\"SchemaVersion\": 2, \"ArtifactName\": \"app\","
        + " \"Results\": [{\"Target\": \"app (alpine 3.19)\", \"Class\": \"os-pkgs\""
        + vulnerabilities
        + "}]}},"
        + " \"metadata\": {\"scanStartedOn\": \""
        + at.minusSeconds(30)
        + "\", \"scanFinishedOn\": \""
        + at
        + "\"}}";
  }
}
