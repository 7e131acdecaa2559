package io.portcullis.core.policy;

import java.util.List;

/**
 * How one {@link SignatureRequirement} fared against the evidence.
 *
 * @param passed some signature met it
 * @param reason who signed when passed, else why no signature met it
 * @param signedBy the signers that met it
 * @param logged failures of logged Notary checks, reported but not counted
 */
record RequirementResult(
    boolean passed, String reason, List<SignedBy> signedBy, List<CheckResult> logged) {

  RequirementResult {
    signedBy = List.copyOf(signedBy);
    logged = List.copyOf(logged);
  }

  /** The signers' descriptions. */
  List<String> signers() {
    return signedBy.stream().map(SignedBy::description).toList();
  }
}
