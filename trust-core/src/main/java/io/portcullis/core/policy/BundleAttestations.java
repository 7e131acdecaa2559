package io.portcullis.core.policy;

import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.sigstore.Artifact;
import io.portcullis.core.sigstore.BundleOutcome;
import io.portcullis.core.sigstore.BundleVerifier;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.VerificationRequirements;
import io.portcullis.core.vet.AttestationRule;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The bundle attestations of one {@code attestations} rule: DSSE bundles found as referrers of the
 * image (GitHub artifact attestations, cosign v3 attestations) whose statement has one of the
 * rule's predicate types and is about this image (the statement's subject), verified either
 * keyless, against a {@code sigstore} store's trusted root with the rule's identities, or with the
 * keys of a {@code cosign} store (what {@code cosign attest --key} v3 and {@code portcullis-signer
 * attest --format sigstore-bundle} write). Only verified statements are judged.
 */
final class BundleAttestations {
  private final String store;
  private final BundleVerifier verifier;
  private final AttestationRule rule;
  private final VerificationRequirements requirements;
  private final boolean keyless;

  private BundleAttestations(
      String store,
      BundleVerifier verifier,
      AttestationRule rule,
      VerificationRequirements requirements,
      boolean keyless) {
    this.store = store;
    this.verifier = verifier;
    this.rule = rule;
    this.requirements = requirements;
    this.keyless = keyless;
  }

  /** Keyless bundles signed by one of the rule's identities, under {@code store}'s root. */
  static BundleAttestations keyless(String store, BundleVerifier verifier, AttestationRule rule) {
    return new BundleAttestations(
        store, verifier, rule, VerificationRequirements.keyless(rule.identities()), true);
  }

  /**
   * Key-based bundles signed by one of {@code keys}; log entries, when present, are verified
   * against {@code verifier}'s root.
   */
  static BundleAttestations keys(
      String store, BundleVerifier verifier, AttestationRule rule, List<PublicKey> keys) {
    return new BundleAttestations(
        store, verifier, rule, VerificationRequirements.keys(keys, false), false);
  }

  /**
   * The verified statements and who signed them, or why there are none.
   *
   * @param failure empty when some statement verified
   * @param statements the verified statements of the rule's kind
   * @param signers who signed them, with log indexes, for the decision's signers
   * @param tried how many bundles of the rule's signing kind were verified
   */
  record Found(
      Optional<String> failure,
      List<InTotoStatement> statements,
      List<SignedBy> signers,
      int tried) {
    Found {
      statements = List.copyOf(statements);
      signers = List.copyOf(signers);
    }
  }

  Found verify(Evidence evidence) {
    String name = rule.kind().policyName();
    List<InTotoStatement> statements = new ArrayList<>();
    Set<SignedBy> signers = new LinkedHashSet<>();
    Set<String> failures = new LinkedHashSet<>();
    int seen = 0;
    int tried = 0;
    if (!"sha256".equals(evidence.image().algorithm())) {
      return new Found(
          Optional.of("Sigstore attestations are verified for sha256 images only"),
          List.of(),
          List.of(),
          0);
    }
    for (SigstoreBundleEvidence found : evidence.bundles()) {
      if (found.predicateType().isPresent()
          && !rule.kind().predicateTypes().contains(found.predicateType().get())) {
        continue; // another kind of attestation, or an image signature
      }
      if (++seen > AttestationEvaluator.MAX_LAYERS) {
        failures.add("more than " + AttestationEvaluator.MAX_LAYERS + " bundles; the rest skipped");
        break;
      }
      String bundleName = "bundle " + BundleRequirementVerifier.shortName(found.manifest());
      SigstoreBundle bundle;
      try {
        bundle = SigstoreBundle.parse(found.bundle());
      } catch (SigstoreFormatException e) {
        failures.add(bundleName + ": " + e.getMessage());
        continue;
      }
      if (bundle.dsseEnvelope().isEmpty() || bundle.keyBased() == keyless) {
        continue; // a message signature, or signed the other way (by key, keyless)
      }
      tried++;
      BundleOutcome outcome;
      try {
        outcome = verifier.verify(bundle, Artifact.ofDigest(evidence.image()), requirements);
      } catch (RuntimeException e) {
        outcome = BundleOutcome.failed("could not be verified: " + e);
      }
      if (!outcome.verified()) {
        failures.add(bundleName + ": " + outcome.failure());
        continue;
      }
      if (!rule.kind().predicateTypes().contains(outcome.predicateType().orElse(""))) {
        continue; // the annotation was missing; the signed type says it is another kind
      }
      try {
        statements.add(InTotoStatement.parse(outcome.dssePayload().orElseThrow()));
      } catch (RuntimeException e) {
        failures.add(bundleName + ": statement unreadable: " + e.getMessage());
        continue;
      }
      String index =
          outcome.logIndex().isPresent() ? " log index " + outcome.logIndex().getAsLong() : "";
      signers.add(
          SignedBy.verified(
              (keyless ? "keyless " : "cosign ")
                  + outcome.signer().map(s -> s.describe()).orElse("?")
                  + index
                  + " ("
                  + store
                  + ", "
                  + name
                  + " attestation)",
              outcome.signer(),
              outcome.logIndex()));
    }
    if (!statements.isEmpty()) {
      return new Found(Optional.empty(), statements, List.copyOf(signers), tried);
    }
    String how = keyless ? "keyless" : "key-based";
    String want =
        keyless
            ? "attach a "
                + name
                + " attestation bundle signed keyless by "
                + rule.identities()
                + " and logged (e.g. GitHub's actions/attest-build-provenance with"
                + " push-to-registry)"
            : "attach a " + name + " attestation signed by a key of '" + store + "'";
    String why =
        failures.isEmpty()
            ? "no " + how + " " + name + " attestation bundle found"
            : "no "
                + how
                + " "
                + name
                + " attestation verifies under '"
                + store
                + "' ("
                + String.join("; ", failures)
                + ")";
    return new Found(Optional.of(why + "; " + want), List.of(), List.of(), tried);
  }
}
