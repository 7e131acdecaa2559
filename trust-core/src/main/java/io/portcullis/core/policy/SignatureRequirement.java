package io.portcullis.core.policy;

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
 */
public record SignatureRequirement(
    SignatureType type, String trustStore, List<TrustedIdentity> identities) {

  public SignatureRequirement {
    identities = List.copyOf(identities);
  }

  /** {@code cosign release-keys}: how checks and messages name this requirement. */
  public String label() {
    return type.policyName() + " " + trustStore;
  }

  /** What would satisfy this requirement, for a denial message. */
  public String remedy() {
    if (type == SignatureType.COSIGN) {
      return "a key in '" + trustStore + "' (cosign)";
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
