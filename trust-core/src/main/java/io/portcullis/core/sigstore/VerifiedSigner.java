package io.portcullis.core.sigstore;

import java.util.Optional;

/**
 * Who signed a verified bundle, for decisions and audit records: the OIDC issuer and SAN of a
 * keyless certificate, or the key id of a key.
 *
 * @param issuer the certificate's OIDC issuer (keyless)
 * @param subject the SAN the identity matched (keyless)
 * @param keyId the SHA-256 hex of the verifying key's DER, first 16 characters (key-based)
 */
public record VerifiedSigner(
    Optional<String> issuer, Optional<String> subject, Optional<String> keyId) {

  /**
   * {@code https://github.com/myorg/app/.github/workflows/release.yml@refs/tags/v1 (issuer ...)}.
   */
  public String describe() {
    if (keyId.isPresent()) {
      return "key " + keyId.get();
    }
    return subject.orElse("?") + " (issuer " + issuer.orElse("?") + ")";
  }
}
