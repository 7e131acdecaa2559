package io.portcullis.core.policy;

import io.portcullis.core.notation.EnvelopeException;
import io.portcullis.core.notation.NotationVerifier;
import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.notation.VerificationOutcome;
import io.portcullis.core.notation.VerificationOutcome.Check;
import io.portcullis.core.notation.VerificationOutcome.Result;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.x509.TrustStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a notation requirement: some Notary Project signature of the evidence passes {@link
 * NotationVerifier} for the requirement's trust store and identities, with failed checks treated as
 * the policy's {@link VerificationActions} say (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification-details">Notary
 * verification actions</a>).
 */
final class NotationRequirementVerifier {
  /** Bounds the work one image can ask for. */
  static final int MAX_SIGNATURES = 32;

  private final X509TrustStore store;
  private final NotationVerifier verifier;

  NotationRequirementVerifier(X509TrustStore store, SignatureRequirement requirement, Clock clock) {
    this.store = store;
    List<TrustStore> stores = new ArrayList<>();
    stores.add(store.ca());
    store.tsa().ifPresent(stores::add);
    this.verifier = new NotationVerifier(stores, requirement.identities(), clock);
  }

  RequirementResult verify(
      Digest image, List<NotationSignature> evidence, VerificationActions actions, String check) {
    if (evidence.isEmpty()) {
      return new RequirementResult(false, "no Notary signature found", List.of(), List.of());
    }
    Set<String> failures = new LinkedHashSet<>();
    List<String> signers = new ArrayList<>();
    List<CheckResult> logged = new ArrayList<>();
    for (NotationSignature signature :
        evidence.subList(0, Math.min(evidence.size(), MAX_SIGNATURES))) {
      String problem = manifestProblem(signature, image);
      if (problem != null) {
        failures.add(problem);
        continue;
      }
      VerificationOutcome outcome =
          verifier.verify(signature.envelope(), signature.envelopeMediaType(), image);
      List<CheckResult> loggedHere = new ArrayList<>();
      String enforced = null;
      for (VerificationOutcome.CheckResult result : outcome.checks()) {
        if (result.result() == Result.PASSED || result.result() == Result.SKIPPED) {
          continue;
        }
        String reason =
            (result.result() == Result.UNVERIFIABLE ? "could not verify: " : "") + result.reason();
        switch (actions.action(result.check())) {
          case ENFORCE -> {
            if (enforced == null) {
              enforced = name(result.check()) + ": " + reason;
            }
          }
          case LOG ->
              loggedHere.add(
                  new CheckResult(check + " " + name(result.check()), Outcome.LOGGED, reason));
          case SKIP -> {}
        }
      }
      if (enforced != null) {
        failures.add(enforced);
        continue;
      }
      logged.addAll(loggedHere);
      String signer =
          "x509 '"
              + outcome.signingCertificate().getSubjectX500Principal().getName()
              + "' ("
              + store.name()
              + ")";
      if (!signers.contains(signer)) {
        signers.add(signer);
      }
    }
    if (!signers.isEmpty()) {
      return new RequirementResult(
          true,
          "signed by " + String.join(", ", signers),
          signers.stream().map(SignedBy::described).toList(),
          logged);
    }
    return new RequirementResult(false, String.join("; ", failures), List.of(), List.of());
  }

  /** Why the manifest cannot carry a signature of {@code image}, or null when it can. */
  private static String manifestProblem(NotationSignature signature, Digest image) {
    SignatureManifest manifest;
    try {
      manifest = SignatureManifest.parse(signature.signatureManifest());
    } catch (EnvelopeException e) {
      return e.getMessage();
    }
    if (!image.toString().equals(manifest.subject().digest())) {
      return "signature manifest " + manifest.digest() + " is for " + manifest.subject().digest();
    }
    Digest envelope = manifest.envelope().parsedDigest();
    if (!envelope.matches(envelope.newMessageDigest().digest(signature.envelope()))) {
      return "envelope does not match the digest in signature manifest " + manifest.digest();
    }
    return null;
  }

  /** The check as named in the policy's {@code verification} section. */
  static String name(Check check) {
    return switch (check) {
      case INTEGRITY -> "integrity";
      case AUTHENTICITY -> "authenticity";
      case AUTHENTIC_TIMESTAMP -> "authenticTimestamp";
      case EXPIRY -> "expiry";
      case TARGET_DIGEST -> "targetDigest";
    };
  }
}
