package io.portcullis.core.policy;

import java.util.List;

/**
 * How one {@link SignatureRequirement} fared against the evidence.
 *
 * @param passed some signature met it
 * @param reason who signed when passed, else why no signature met it
 * @param signers the signers that met it
 * @param logged failures of logged Notary checks, reported but not counted
 */
record RequirementResult(
    boolean passed, String reason, List<String> signers, List<CheckResult> logged) {

  RequirementResult {
    signers = List.copyOf(signers);
    logged = List.copyOf(logged);
  }
}
