package io.portcullis.core.sigstore;

import java.security.PublicKey;
import java.util.List;

/**
 * What a bundle must satisfy beyond being well signed: for keyless bundles, the identities one of
 * which the certificate must match; for key-based bundles, the keys one of which must verify.
 *
 * @param identities acceptable keyless signers; a keyless bundle is refused when this is empty
 * @param keys acceptable public keys; a key-based bundle is refused when this is empty
 * @param tlogRequired whether a verified transparency log entry is required (always for keyless,
 *     where it gives the signing time; for keys only when the policy says {@code tlog: required})
 */
public record VerificationRequirements(
    List<CertificateIdentity> identities, List<PublicKey> keys, boolean tlogRequired) {

  public VerificationRequirements {
    identities = List.copyOf(identities);
    keys = List.copyOf(keys);
  }

  /** Keyless: a Fulcio certificate for one of {@code identities}, logged. */
  public static VerificationRequirements keyless(List<CertificateIdentity> identities) {
    return new VerificationRequirements(identities, List.of(), true);
  }

  /** Key-based: a signature by one of {@code keys}; logged only if {@code tlogRequired}. */
  public static VerificationRequirements keys(List<PublicKey> keys, boolean tlogRequired) {
    return new VerificationRequirements(List.of(), keys, tlogRequired);
  }
}
