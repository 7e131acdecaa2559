package io.portcullis.signer;

import io.portcullis.core.policy.SigstoreBundleEvidence;
import io.portcullis.core.sigstore.Artifact;
import io.portcullis.core.sigstore.BundleOutcome;
import io.portcullis.core.sigstore.BundleVerifier;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.sigstore.VerificationRequirements;
import io.portcullis.core.sigstore.VerifiedSigner;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code verify}'s check of an image's Sigstore bundle referrers (cosign v3 signatures and
 * attestations, GitHub attestations): each bundle of the wanted predicate type is verified over the
 * image's manifest digest and reported on its own line, with its format and why it passed or
 * failed. Bundles the annotations say are of another type are counted in a note, not verified.
 */
final class BundleReferrerCheck {
  private final SigstoreBundleStore store;
  private final Supplier<TrustedRoot> root;
  private final VerificationRequirements requirements;
  private final String predicateType;

  /**
   * @param predicateType {@link SigstoreBundleSigner#SIGN_PREDICATE_TYPE} for image signatures, or
   *     the attestation's type
   * @param root asked for only when a bundle is found
   */
  BundleReferrerCheck(
      SigstoreBundleStore store,
      Supplier<TrustedRoot> root,
      VerificationRequirements requirements,
      String predicateType) {
    this.store = store;
    this.root = root;
    this.requirements = requirements;
    this.predicateType = predicateType;
  }

  void run(ResolvedImage target, VerificationReport report, PrintWriter out) {
    SigstoreBundleStore.Listing listing = store.list(target.repository(), target.digest());
    listing.note().ifPresent(note -> out.println("NOTE bundles: " + note));
    listing.skipped().forEach(s -> out.println("NOTE bundles: " + s));
    int otherTypes = 0;
    BundleVerifier verifier = null;
    for (SigstoreBundleEvidence found : listing.found()) {
      if (found.predicateType().isPresent() && !found.predicateType().get().equals(predicateType)) {
        otherTypes++;
        continue;
      }
      String subject = "referrer " + found.manifest();
      SigstoreBundle bundle;
      try {
        bundle = SigstoreBundle.parse(found.bundle());
      } catch (SigstoreFormatException e) {
        report.fail(subject + " (sigstore bundle)", "not a valid bundle: " + e.getMessage());
        continue;
      }
      subject += " (sigstore bundle v" + bundle.version() + ")";
      BundleOutcome outcome;
      if (needsNoRoot(bundle)) {
        outcome =
            new BundleVerifier(none())
                .verify(bundle, Artifact.ofDigest(target.digest()), requirements);
      } else {
        if (verifier == null) {
          verifier = new BundleVerifier(root.get());
        }
        outcome = verifier.verify(bundle, Artifact.ofDigest(target.digest()), requirements);
      }
      String type = outcome.predicateType().orElse("message signature");
      if (!outcome.verified()) {
        report.fail(subject, outcome.failure());
      } else if (outcome.predicateType().isPresent() && !type.equals(predicateType)) {
        report.fail(
            subject, "verified, but its predicate type is " + type + ", not " + predicateType);
      } else {
        report.pass(subject, describe(outcome, type));
      }
    }
    if (otherTypes > 0) {
      out.println(
          "NOTE bundles: "
              + otherTypes
              + " bundle(s) of other predicate types were not checked (not "
              + predicateType
              + ")");
    }
  }

  private static String describe(BundleOutcome outcome, String type) {
    return "signed by "
        + outcome.signer().map(VerifiedSigner::describe).orElse("?")
        + "; "
        + type
        + outcome
            .signedAt()
            .map(t -> "; signed at " + t + " (verified time)")
            .orElse("; no transparency log entry (not required)")
        + (outcome.logIndex().isPresent() ? ", log index " + outcome.logIndex().getAsLong() : "");
  }

  /**
   * A key-based bundle with no log entry and no timestamp is verified by the key alone, so the
   * trusted root (maybe a TUF refresh over the network) is not fetched for it.
   */
  private static boolean needsNoRoot(SigstoreBundle bundle) {
    return bundle.keyBased()
        && bundle.tlogEntries().isEmpty()
        && bundle.rfc3161Timestamps().isEmpty();
  }

  /** An empty trusted root, for bundles that need none. */
  private static TrustedRoot none() {
    return new TrustedRoot("", List.of(), List.of(), List.of(), List.of(), new byte[32]);
  }
}
