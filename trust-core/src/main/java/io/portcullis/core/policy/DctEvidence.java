package io.portcullis.core.policy;

import io.portcullis.core.dct.SignedTag;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a Notary v1 server's verified metadata says about one image, for one {@code dct} requirement
 * (its trust store and roles), collected by the caller as other signature evidence is: the signed
 * targets that name the image, or why there are none (the tag asked for has no signed target, the
 * metadata did not verify). A server that could not be reached is no evidence at all: the caller
 * answers "could not verify" instead.
 *
 * @param signed the signed tags of {@code roles} whose target is the image; empty when none
 * @param problem why no signed target counts, when {@code signed} is empty
 */
public record DctEvidence(
    String trustStore, List<String> roles, List<SignedTag> signed, Optional<String> problem) {

  public DctEvidence {
    Objects.requireNonNull(trustStore, "trustStore");
    roles = List.copyOf(roles);
    signed = List.copyOf(signed);
    Objects.requireNonNull(problem, "problem");
  }

  /** The signed targets found for the image. */
  public static DctEvidence signed(String trustStore, List<String> roles, List<SignedTag> signed) {
    return new DctEvidence(trustStore, roles, signed, Optional.empty());
  }

  /** No signed target counts, because of {@code problem}. */
  public static DctEvidence refused(String trustStore, List<String> roles, String problem) {
    return new DctEvidence(trustStore, roles, List.of(), Optional.of(problem));
  }

  /** Whether this is the evidence a requirement with {@code trustStore} and {@code roles} reads. */
  public boolean answers(SignatureRequirement requirement) {
    return requirement.trustStore().equals(trustStore) && requirement.roles().equals(roles);
  }
}
