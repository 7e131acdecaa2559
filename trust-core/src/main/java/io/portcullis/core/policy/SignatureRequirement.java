package io.portcullis.core.policy;

import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.x509.TrustedIdentity;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One entry of {@code anyOf}, {@code allOf} or {@code threshold.of}: a signature of {@code type}
 * that verifies against the trust store named {@code trustStore}.
 *
 * @param identities for notation, the <a
 *     href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trusted-identities-constraints">trusted
 *     identities</a> the signer must match ({@link TrustedIdentity#any()} for {@code *}); empty for
 *     cosign, whose keys are themselves the identity
 * @param keyless for cosign with a {@code sigstore} store, the certificate identities one of which
 *     a keyless signature must match (never empty then); empty for a cosign key store
 * @param tlogRequired whether a verified transparency log entry is required ({@code tlog:
 *     required}; always for keyless)
 */
public record SignatureRequirement(
    SignatureType type,
    String trustStore,
    List<TrustedIdentity> identities,
    List<CertificateIdentity> keyless,
    boolean tlogRequired) {

  public SignatureRequirement {
    identities = List.copyOf(identities);
    keyless = List.copyOf(keyless);
  }

  /** A requirement without keyless identities or a log requirement (keys, notation). */
  public SignatureRequirement(
      SignatureType type, String trustStore, List<TrustedIdentity> identities) {
    this(type, trustStore, identities, List.of(), false);
  }

  /** Whether this requirement is met by keyless (Fulcio certificate) signatures. */
  public boolean isKeyless() {
    return !keyless.isEmpty();
  }

  /** {@code cosign release-keys}: how checks and messages name this requirement. */
  public String label() {
    return type.policyName() + " " + trustStore;
  }

  /** What would satisfy this requirement, for a denial message. */
  public String remedy() {
    if (isKeyless()) {
      return "a keyless signature logged under '"
          + trustStore
          + "' by "
          + keyless.stream().map(CertificateIdentity::toString).collect(Collectors.joining(" or "))
          + " (cosign)";
    }
    if (type == SignatureType.COSIGN) {
      return "a key in '"
          + trustStore
          + "' (cosign"
          + (tlogRequired ? ", logged in the transparency log" : "")
          + ")";
    }
    String who =
        identities.stream().anyMatch(TrustedIdentity::isAny)
            ? ""
            : " with identity "
                + identities.stream()
                    .map(TrustedIdentity::toString)
                    .collect(Collectors.joining(" or "));
    return "a certificate chaining to '" + trustStore + "'" + who + " (notation)";
  }
}
