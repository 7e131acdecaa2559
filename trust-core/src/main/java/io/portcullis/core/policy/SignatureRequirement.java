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
 * @param roles for dct, the TUF roles whose signed targets count, first role first; empty for the
 *     other types
 */
public record SignatureRequirement(
    SignatureType type,
    String trustStore,
    List<TrustedIdentity> identities,
    List<CertificateIdentity> keyless,
    boolean tlogRequired,
    List<String> roles) {

  public SignatureRequirement {
    identities = List.copyOf(identities);
    keyless = List.copyOf(keyless);
    roles = List.copyOf(roles);
  }

  /** A cosign or notation requirement (no DCT roles). */
  public SignatureRequirement(
      SignatureType type,
      String trustStore,
      List<TrustedIdentity> identities,
      List<CertificateIdentity> keyless,
      boolean tlogRequired) {
    this(type, trustStore, identities, keyless, tlogRequired, List.of());
  }

  /**
   * A {@code dct} requirement: a target signed in the first of {@code roles} that has one, as
   * {@code docker trust} asks {@code targets/releases} before {@code targets}.
   */
  public static SignatureRequirement dct(String trustStore, List<String> roles) {
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("a dct requirement names at least one role");
    }
    return new SignatureRequirement(
        SignatureType.DCT, trustStore, List.of(), List.of(), false, roles);
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
    if (type == SignatureType.DCT) {
      return "a target signed in "
          + String.join(" or ", roles)
          + " of the Notary server '"
          + trustStore
          + "' naming this digest (docker trust sign)";
    }
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
