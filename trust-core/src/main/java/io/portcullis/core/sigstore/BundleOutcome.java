package io.portcullis.core.sigstore;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The result of verifying one bundle: verified, with who signed it, when (by the log or a timestamp
 * authority) and where it is logged; or not, with the first check that failed.
 *
 * @param verified whether every check passed
 * @param failure why not, quotable in a denial; empty when verified
 * @param signer who signed it, when verified
 * @param signedAt the verified signing time (log integrated time or RFC 3161 time)
 * @param logIndex the Rekor log index of the first verified entry whose SET or inclusion proof
 *     signs its index; empty when none does (a bundle's own word is not audited as fact)
 * @param dssePayload for a DSSE bundle, the verified in-toto statement bytes
 * @param predicateType for a DSSE bundle, the statement's predicate type
 */
public record BundleOutcome(
    boolean verified,
    String failure,
    Optional<VerifiedSigner> signer,
    Optional<Instant> signedAt,
    OptionalLong logIndex,
    Optional<byte[]> dssePayload,
    Optional<String> predicateType) {

  public static BundleOutcome failed(String why) {
    return new BundleOutcome(
        false,
        why,
        Optional.empty(),
        Optional.empty(),
        OptionalLong.empty(),
        Optional.empty(),
        Optional.empty());
  }
}
