package io.portcullis.core.policy;

import io.portcullis.core.dct.SignedTag;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * A {@code dct} requirement against the {@link DctEvidence} the caller collected: met when a target
 * signed in one of the requirement's roles names the image. The TUF verification itself happened
 * when the evidence was collected (it needs the network); this only reads its outcome.
 */
final class DctRequirementVerifier {
  private DctRequirementVerifier() {}

  static RequirementResult verify(SignatureRequirement requirement, Evidence evidence) {
    Optional<DctEvidence> found =
        evidence.dct().stream().filter(e -> e.answers(requirement)).findFirst();
    if (found.isEmpty()) {
      return failed("no Docker Content Trust data was collected for " + requirement.label());
    }
    DctEvidence dct = found.get();
    List<SignedTag> naming =
        dct.signed().stream().filter(t -> t.digest().equals(evidence.image())).toList();
    if (naming.isEmpty()) {
      return failed(
          dct.problem()
              .orElse(
                  "no target signed in "
                      + String.join(" or ", requirement.roles())
                      + " names "
                      + evidence.image()));
    }
    List<SignedBy> signers = naming.stream().map(DctRequirementVerifier::signer).toList();
    return new RequirementResult(
        true,
        "signed by " + String.join(", ", signers.stream().map(SignedBy::description).toList()),
        signers,
        List.of());
  }

  /** The role and TUF key ids that signed the tag: what the audit record names. */
  static SignedBy signer(SignedTag tag) {
    String keys = String.join(",", new TreeSet<>(tag.signerKeyIds()));
    return new SignedBy(
        "DCT " + tag.gun() + ":" + tag.tag() + " in " + tag.role() + " (TUF keys " + keys + ")",
        Optional.empty(),
        Optional.empty(),
        Optional.of(keys),
        OptionalLong.empty());
  }

  private static RequirementResult failed(String reason) {
    return new RequirementResult(false, reason, List.of(), List.of());
  }
}
