package io.portcullis.core.vet;

import io.portcullis.core.sigstore.CertificateIdentity;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a policy's {@code attestations}: an attestation of {@code kind} signed by a key of
 * the cosign store {@code trustStore}.
 *
 * @param failOn vuln only: a finding at or above this severity fails
 * @param maxAge vuln only: the scan must have finished at most this long ago
 * @param builderId slsaprovenance only: the builder that must have produced the image
 * @param identities with a {@code sigstore} store, the keyless signers one of which must have
 *     signed the attestation bundle (never empty then); empty with a cosign key store
 */
public record AttestationRule(
    AttestationKind kind,
    String trustStore,
    Optional<Severity> failOn,
    Optional<Duration> maxAge,
    Optional<String> builderId,
    List<CertificateIdentity> identities) {

  public AttestationRule {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(trustStore, "trustStore");
    identities = List.copyOf(identities);
  }

  /** A rule verified with the keys of a cosign store. */
  public AttestationRule(
      AttestationKind kind,
      String trustStore,
      Optional<Severity> failOn,
      Optional<Duration> maxAge,
      Optional<String> builderId) {
    this(kind, trustStore, failOn, maxAge, builderId, List.of());
  }

  /** Whether the rule is met by keyless Sigstore bundles (a {@code sigstore} store). */
  public boolean isKeyless() {
    return !identities.isEmpty();
  }
}
