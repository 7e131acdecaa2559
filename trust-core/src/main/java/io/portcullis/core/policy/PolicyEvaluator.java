package io.portcullis.core.policy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides whether an image's {@link Evidence} satisfies a {@link Policy}. Verifiers are built once
 * per trust store and requirement when the evaluator is made, so keys and certificates are parsed
 * once per {@link TrustPolicy}; afterwards the evaluator is immutable, thread-safe and CPU-bound
 * (no I/O), fit for a gateway's worker threads.
 *
 * <p>Like notation-go's verifier it returns an outcome instead of throwing: every requirement gets
 * a {@link CheckResult}, Notary checks the policy only logs show as {@link Outcome#LOGGED}, and the
 * {@link PolicyDecision#message()} says what failed and what would satisfy the policy. Whether the
 * evidence could be fetched at all ("could not verify") is the caller's concern, kept apart.
 *
 * <p>A policy's vetting rules ({@link VetRules}: config, sources, base images, attestations) are
 * checked after the signatures, each as a check of its own; see {@code docs/vetting.md}.
 */
public final class PolicyEvaluator {
  private final Map<String, CosignRequirementVerifier> cosign = new HashMap<>();
  private final Map<SignatureRequirement, BundleRequirementVerifier> bundles = new HashMap<>();
  private final Map<SignatureRequirement, NotationRequirementVerifier> notation = new HashMap<>();
  private final ConfigEvaluator configs;
  private final AttestationEvaluator attestations;

  public PolicyEvaluator(TrustPolicy policy, Clock clock) {
    SigstoreVerifiers sigstore = new SigstoreVerifiers(policy);
    this.configs = new ConfigEvaluator(clock);
    this.attestations = new AttestationEvaluator(policy, clock, sigstore);
    for (Policy p : policy.policies()) {
      p.signatures()
          .ifPresent(rule -> rule.requirements().forEach(r -> prepare(policy, r, clock, sigstore)));
    }
  }

  private void prepare(
      TrustPolicy policy,
      SignatureRequirement requirement,
      Clock clock,
      SigstoreVerifiers sigstore) {
    PolicyTrustStore store = policy.trustStore(requirement.trustStore());
    if (store instanceof CosignTrustStore keys) {
      boolean tlog = requirement.tlogRequired();
      cosign.computeIfAbsent(
          cosignKey(requirement),
          name ->
              new CosignRequirementVerifier(
                  keys, clock, tlog ? sigstore.keyLogKeys(keys) : List.of(), tlog));
      bundles.computeIfAbsent(requirement, r -> sigstore.forKeys(keys, tlog));
    } else if (store instanceof SigstoreTrustStore keyless) {
      bundles.computeIfAbsent(
          requirement, r -> sigstore.forIdentities(keyless, r.keyless(), r.tlogRequired()));
    } else if (store instanceof X509TrustStore x509) {
      notation.computeIfAbsent(
          requirement, r -> new NotationRequirementVerifier(x509, requirement, clock));
    }
  }

  private static String cosignKey(SignatureRequirement requirement) {
    return requirement.trustStore() + (requirement.tlogRequired() ? " tlog" : "");
  }

  /**
   * Evaluates {@code policy} (one of this evaluator's trust policy) against {@code evidence}: its
   * signature requirements, then its vetting rules, each rule a check of its own.
   */
  public PolicyDecision evaluate(Policy policy, Evidence evidence) {
    PolicyDecision signed = evaluateSignatures(policy, evidence);
    if (policy.mode() == Mode.OFF || !policy.vetting().any()) {
      return signed;
    }
    List<CheckResult> vetted = new ArrayList<>(configs.evaluate(policy.vetting(), evidence));
    AttestationEvaluator.Result attested =
        attestations.evaluate(policy.vetting().attestations(), evidence);
    vetted.addAll(attested.checks());
    return VetMessage.combine(policy, signed, vetted, attested.signers());
  }

  private PolicyDecision evaluateSignatures(Policy policy, Evidence evidence) {
    if (policy.mode() == Mode.OFF) {
      return PolicyDecision.of(
          policy,
          false,
          List.of(new CheckResult("signatures", Outcome.SKIPPED, "policy is off")),
          List.of(),
          "allowed by policy '" + policy.name() + "': mode off, nothing verified");
    }
    if (policy.signatures().isEmpty()) {
      return PolicyDecision.of(
          policy,
          true,
          List.of(new CheckResult("signatures", Outcome.PASSED, "no signature required")),
          List.of(),
          "allowed by policy '" + policy.name() + "': no signature required");
    }
    SignatureRule rule = policy.signatures().get();
    List<CheckResult> checks = new ArrayList<>();
    List<CheckResult> logged = new ArrayList<>();
    List<SignedBy> signers = new ArrayList<>();
    List<RequirementOutcome> outcomes = new ArrayList<>();
    int passed = 0;
    for (int i = 0; i < rule.requirements().size(); i++) {
      SignatureRequirement requirement = rule.requirements().get(i);
      String check = rule.path(i) + " " + requirement.label();
      if (passed >= rule.required()) {
        // already decided; verifying more would only cost CPU on the gateway's hot path
        checks.add(
            new CheckResult(
                check,
                Outcome.SKIPPED,
                "not needed: " + rule.combinator().key() + " is satisfied"));
        continue;
      }
      RequirementResult result = verify(requirement, evidence, policy.verification(), check);
      outcomes.add(new RequirementOutcome(requirement, result));
      checks.add(
          new CheckResult(
              check, result.passed() ? Outcome.PASSED : Outcome.FAILED, result.reason()));
      logged.addAll(result.logged());
      if (result.passed()) {
        passed++;
        signers.addAll(result.signedBy());
      }
    }
    checks.addAll(logged);
    boolean satisfied = passed >= rule.required();
    String message = DecisionMessage.of(policy, rule, satisfied, passed, outcomes, logged);
    return PolicyDecision.of(policy, satisfied, checks, signers, message);
  }

  private RequirementResult verify(
      SignatureRequirement requirement,
      Evidence evidence,
      VerificationActions actions,
      String check) {
    return switch (requirement.type()) {
      case COSIGN -> cosign(requirement, evidence);
      case NOTATION ->
          verifier(notation.get(requirement), requirement)
              .verify(evidence.image(), evidence.notation(), actions, check);
      case DCT -> DctRequirementVerifier.verify(requirement, evidence);
    };
  }

  /**
   * A cosign requirement: for a key store, a legacy {@code .sig} layer or a key-based v3 bundle
   * signed by one of its keys; for a sigstore store, a keyless bundle or legacy {@code .sig} layer
   * with a certificate, verified against its trusted root and identities.
   */
  private RequirementResult cosign(SignatureRequirement requirement, Evidence evidence) {
    RequirementResult legacy = null;
    if (!requirement.isKeyless()) {
      legacy =
          verifier(cosign.get(cosignKey(requirement)), requirement)
              .verify(evidence.image(), evidence.cosign());
      if (legacy.passed()) {
        return legacy;
      }
    }
    BundleRequirementVerifier.Result result =
        verifier(bundles.get(requirement), requirement).verify(evidence.image(), evidence);
    if (!result.signers().isEmpty()) {
      return new RequirementResult(
          true,
          "signed by "
              + String.join(", ", result.signers().stream().map(SignedBy::description).toList()),
          result.signers(),
          List.of());
    }
    List<String> reasons = new ArrayList<>();
    if (legacy != null && !legacy.reason().equals(CosignRequirementVerifier.NONE_FOUND)) {
      reasons.add(legacy.reason());
    }
    reasons.addAll(result.failures());
    if (reasons.isEmpty()) {
      reasons.add(
          requirement.isKeyless()
              ? "no keyless signature found (no Sigstore bundle referrer, no .sig with a"
                  + " certificate)"
              : CosignRequirementVerifier.NONE_FOUND);
    }
    return new RequirementResult(false, String.join("; ", reasons), List.of(), List.of());
  }

  private static <T> T verifier(T verifier, SignatureRequirement requirement) {
    if (verifier == null) {
      throw new IllegalArgumentException(
          "requirement " + requirement.label() + " is not from this evaluator's trust policy");
    }
    return verifier;
  }

  /** A requirement that was verified, with its result, for the decision message. */
  record RequirementOutcome(SignatureRequirement requirement, RequirementResult result) {}
}
