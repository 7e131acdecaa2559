package io.portcullis.core.dsse;

/**
 * Predicate type URIs of in-toto statements this project recognises: cosign's own (see cosign
 * {@code pkg/cosign/attestation}) and SLSA provenance (<a
 * href="https://slsa.dev/spec/v1.0/provenance">slsa.dev provenance</a>).
 */
public final class PredicateTypes {
  private PredicateTypes() {}

  /** {@code cosign attest --type custom}. */
  public static final String COSIGN_CUSTOM = "https://cosign.sigstore.dev/attestation/v1";

  /** {@code cosign attest --type vuln}. */
  public static final String COSIGN_VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";

  public static final String SLSA_PROVENANCE_V02 = "https://slsa.dev/provenance/v0.2";
  public static final String SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";
}
