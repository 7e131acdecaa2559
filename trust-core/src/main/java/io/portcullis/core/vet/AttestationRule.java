package io.portcullis.core.vet;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a policy's {@code attestations}: an attestation of {@code kind} signed by a key of
 * the cosign store {@code trustStore}.
 *
 * @param failOn vuln only: a finding at or above this severity fails
 * @param maxAge vuln only: the scan must have finished at most this long ago
 * @param builderId slsaprovenance only: the builder that must have produced the image
 */
public record AttestationRule(
    AttestationKind kind,
    String trustStore,
    Optional<Severity> failOn,
    Optional<Duration> maxAge,
    Optional<String> builderId) {

  public AttestationRule {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(trustStore, "trustStore");
  }
}
