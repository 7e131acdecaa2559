package io.portcullis.core.policy;

import io.portcullis.core.sigstore.VerifiedSigner;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Who signed an approved image, as its decision and audit record name them: a line for people
 * ({@code keyless https://github.com/myorg/app/...@refs/tags/v1 (issuer ...) log index 123
 * (public-good, sigstore bundle)}) and, as separate fields for tools that read the audit log, the
 * certificate's OIDC issuer and SAN (keyless) or the key id (keys), and the transparency log index.
 *
 * @param description the line quoted in messages and in the audit record's {@code signers}
 * @param issuer the keyless certificate's OIDC issuer
 * @param subject the keyless certificate's SAN that the identity matched
 * @param keyId the first 16 hex characters of the SHA-256 of the verifying key's DER
 * @param logIndex the index of the verified transparency log entry
 */
public record SignedBy(
    String description,
    Optional<String> issuer,
    Optional<String> subject,
    Optional<String> keyId,
    OptionalLong logIndex) {

  public SignedBy {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(logIndex, "logIndex");
  }

  /** A signer known by its description only (an X.509 subject, whose chain is the identity). */
  static SignedBy described(String description) {
    return new SignedBy(
        description, Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty());
  }

  /** A cosign key of a key store. */
  static SignedBy key(String description, String keyId) {
    return new SignedBy(
        description, Optional.empty(), Optional.empty(), Optional.of(keyId), OptionalLong.empty());
  }

  /** The signer of a verified Sigstore bundle, with the index of its log entry if any. */
  static SignedBy verified(
      String description, Optional<VerifiedSigner> signer, OptionalLong logIndex) {
    return new SignedBy(
        description,
        signer.flatMap(VerifiedSigner::issuer),
        signer.flatMap(VerifiedSigner::subject),
        signer.flatMap(VerifiedSigner::keyId),
        logIndex);
  }

  @Override
  public String toString() {
    return description;
  }
}
