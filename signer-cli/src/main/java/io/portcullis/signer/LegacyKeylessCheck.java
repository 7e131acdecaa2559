package io.portcullis.signer;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.policy.SignatureBudget;
import io.portcullis.core.sigstore.Artifact;
import io.portcullis.core.sigstore.BundleOutcome;
import io.portcullis.core.sigstore.BundleVerifier;
import io.portcullis.core.sigstore.LegacySignatureBundles;
import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.VerificationRequirements;
import io.portcullis.core.sigstore.VerifiedSigner;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * Keyless {@code verify}'s check of the legacy {@code sha256-<hex>.sig} layers that carry a
 * certificate (cosign 1.x/2.x keyless signatures): each is turned into the equivalent bundle by
 * {@link LegacySignatureBundles} and verified by the same {@link BundleVerifier} and identity as
 * the bundle referrers, over the simple-signing payload, which must name the image. Layers without
 * a certificate are key-based and left to {@code --key}.
 */
final class LegacyKeylessCheck {
  private final CosignAttachmentStore store;
  private final BundleVerifier verifier;
  private final VerificationRequirements requirements;

  LegacyKeylessCheck(
      CosignAttachmentStore store, BundleVerifier verifier, VerificationRequirements requirements) {
    this.store = store;
    this.verifier = verifier;
    this.requirements = requirements;
  }

  void run(ResolvedImage target, VerificationReport report, PrintWriter out) {
    Tag tag = CosignAttachmentStore.tag(target.digest(), AttachmentManifest.SIGNATURE_SUFFIX);
    Optional<ImageManifest> attached = store.read(target.repository(), tag);
    if (attached.isEmpty()) {
      return;
    }
    SignatureBudget.Selection selection = SignatureBudget.cosign(attached.get());
    selection.note().ifPresent(note -> out.println("NOTE signatures: " + note));
    List<AttachmentLayer> layers = store.signatures(target.repository(), selection);
    int n = 0;
    for (AttachmentLayer layer : layers) {
      n++;
      if (!LegacySignatureBundles.carriesCertificate(layer)) {
        continue;
      }
      String subject =
          "#" + n + " layer " + layer.descriptor().digest() + " (legacy .sig, keyless)";
      Optional<String> claim = claimsOtherImage(layer.content(), target);
      if (claim.isPresent()) {
        report.fail(subject, claim.get());
        continue;
      }
      BundleOutcome outcome;
      try {
        outcome =
            verifier.verify(
                LegacySignatureBundles.toBundle(layer),
                Artifact.ofContent(layer.content()),
                requirements);
      } catch (SigstoreFormatException e) {
        report.fail(subject, e.getMessage());
        continue;
      }
      if (outcome.verified()) {
        report.pass(
            subject,
            "signed by "
                + outcome.signer().map(VerifiedSigner::describe).orElse("?")
                + outcome.signedAt().map(t -> "; signed at " + t + " (verified time)").orElse("")
                + (outcome.logIndex().isPresent()
                    ? ", log index " + outcome.logIndex().getAsLong()
                    : ""));
      } else {
        report.fail(subject, outcome.failure());
      }
    }
  }

  /** Empty when the payload is a cosign signature of the target image; else why not. */
  private static Optional<String> claimsOtherImage(byte[] payload, ResolvedImage target) {
    try {
      SimpleSigningPayload parsed = SimpleSigningPayload.parse(payload);
      if (!SimpleSigningPayload.COSIGN_TYPE.equals(parsed.type())) {
        return Optional.of("payload critical.type is '" + parsed.type() + "'");
      }
      if (!target.digest().equals(parsed.manifestDigest())) {
        return Optional.of("payload signs " + parsed.manifestDigest() + ", not " + target.digest());
      }
      return Optional.empty();
    } catch (InvalidPayloadException e) {
      return Optional.of(e.getMessage());
    }
  }
}
