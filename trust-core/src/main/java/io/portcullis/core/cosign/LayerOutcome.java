package io.portcullis.core.cosign;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The checks run on one signature or attestation layer (identified by its descriptor digest). It is
 * verified only when every check ran and passed; checking stops at the first failure because later
 * checks would read content nobody vouched for.
 *
 * @param certificate the signing certificate when a certificate verified the signature, so a policy
 *     can match its identity (SAN, issuer) on top of this cryptographic result
 */
public record LayerOutcome(
    String layerDigest, List<CheckResult> checks, Optional<X509Certificate> certificate) {

  public LayerOutcome {
    checks = List.copyOf(checks);
  }

  public boolean verified() {
    return !checks.isEmpty() && checks.stream().allMatch(CheckResult::passed);
  }

  /** The first failed check's detail, if any. */
  public Optional<String> failure() {
    return checks.stream().filter(c -> !c.passed()).map(CheckResult::detail).findFirst();
  }
}
