package io.portcullis.core.vet;

import io.portcullis.core.dsse.PredicateTypes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The attestation types a policy can require, named as {@code attest --type} names them. */
public enum AttestationKind {
  /** A cosign vulnerability scan. */
  VULN(List.of(PredicateTypes.COSIGN_VULN)),
  /** SLSA provenance, v0.2 or v1. */
  SLSAPROVENANCE(List.of(PredicateTypes.SLSA_PROVENANCE_V02, PredicateTypes.SLSA_PROVENANCE_V1));

  private final List<String> predicateTypes;

  AttestationKind(List<String> predicateTypes) {
    this.predicateTypes = predicateTypes;
  }

  /** The in-toto predicate types that count as this kind. */
  public List<String> predicateTypes() {
    return predicateTypes;
  }

  /** The name in the policy file. */
  public String policyName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AttestationKind> of(String name) {
    for (AttestationKind kind : values()) {
      if (kind.policyName().equals(name)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
