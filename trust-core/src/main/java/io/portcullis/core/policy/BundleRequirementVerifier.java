package io.portcullis.core.policy;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.sigstore.Artifact;
import io.portcullis.core.sigstore.BundleOutcome;
import io.portcullis.core.sigstore.BundleVerifier;
import io.portcullis.core.sigstore.LegacySignatureBundles;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.VerificationRequirements;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a cosign requirement against Sigstore bundles: the bundle referrers of the image (cosign
 * v3 image signatures, DSSE over an in-toto statement with predicate type {@value
 * #COSIGN_SIGN_PREDICATE} whose subject is the image, or a message signature over the manifest),
 * and for a keyless requirement also the legacy {@code .sig} layers that carry a certificate,
 * turned into bundles by {@link LegacySignatureBundles}. Every bundle goes through {@link
 * BundleVerifier}: keyless bundles against the store's trusted root with the requirement's
 * identities, key-based bundles against the store's keys. The signer it names (issuer and SAN, or
 * key id) and the log index go into the decision's signers, and so into the audit record.
 */
final class BundleRequirementVerifier {
  /** The predicate type of a cosign v3 image signature. */
  static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";

  private final String store;
  private final BundleVerifier verifier;
  private final VerificationRequirements requirements;
  private final boolean keyless;

  BundleRequirementVerifier(
      String store, BundleVerifier verifier, VerificationRequirements requirements) {
    this.store = store;
    this.verifier = verifier;
    this.requirements = requirements;
    this.keyless = !requirements.identities().isEmpty();
  }

  /** How the bundles of an image fared: signers when some verified, else the failures seen. */
  record Result(List<SignedBy> signers, Set<String> failures) {}

  Result verify(Digest image, Evidence evidence) {
    List<SignedBy> signers = new ArrayList<>();
    Set<String> failures = new LinkedHashSet<>();
    int seen = 0;
    if (!"sha256".equals(image.algorithm())) {
      // Sigstore signs SHA-256 digests; a bundle cannot be about another kind of digest
      failures.add("Sigstore bundles are verified for sha256 images only, not " + image);
      return new Result(signers, failures);
    }
    for (SigstoreBundleEvidence found : evidence.bundles()) {
      if (seen >= CosignRequirementVerifier.MAX_LAYERS) {
        failures.add(
            "more than "
                + CosignRequirementVerifier.MAX_LAYERS
                + " bundles; the rest were not checked");
        break;
      }
      SigstoreBundle bundle;
      try {
        bundle = SigstoreBundle.parse(found.bundle());
      } catch (SigstoreFormatException e) {
        seen++;
        failures.add("bundle " + shortName(found.manifest()) + ": " + e.getMessage());
        continue;
      }
      if (bundle.keyBased() == keyless) {
        continue; // a key-based bundle is for a key store, a keyless one for a sigstore store
      }
      Optional<String> predicate = found.predicateType();
      if (bundle.dsseEnvelope().isPresent()
          && predicate.isPresent()
          && !predicate.get().equals(COSIGN_SIGN_PREDICATE)) {
        continue; // an attestation: the attestations rules read it, not the signature rules
      }
      seen++;
      String name = "bundle " + shortName(found.manifest());
      BundleOutcome outcome = verify(bundle, Artifact.ofDigest(image));
      if (outcome.verified()
          && bundle.dsseEnvelope().isPresent()
          && !outcome.predicateType().orElse("").equals(COSIGN_SIGN_PREDICATE)) {
        failures.add(
            name
                + ": a "
                + outcome.predicateType().orElse("?")
                + " attestation, not an image signature ("
                + COSIGN_SIGN_PREDICATE
                + ")");
      } else if (outcome.verified()) {
        add(signers, signer(outcome, "sigstore bundle"));
      } else {
        failures.add(name + ": " + outcome.failure());
      }
    }
    if (keyless) {
      legacy(image, evidence.cosign(), signers, failures, seen);
    }
    return new Result(signers, failures);
  }

  /**
   * Verifies the keyless legacy {@code .sig} layers (certificate annotations), newest first, within
   * what is left of the per-requirement bound after {@code already} bundles.
   */
  private void legacy(
      Digest image,
      List<CosignSignatures> evidence,
      List<SignedBy> signers,
      Set<String> failures,
      int already) {
    int seen = 0;
    for (CosignSignatures signatures : evidence) {
      List<Descriptor> newestFirst = new ArrayList<>(signatures.signatureManifest().layers());
      Collections.reverse(newestFirst);
      for (Descriptor d : newestFirst) {
        byte[] blob = blob(signatures, d);
        if (!SimpleSigningPayload.MEDIA_TYPE.equals(d.mediaType()) || blob == null) {
          continue;
        }
        AttachmentLayer layer = new AttachmentLayer(d, blob);
        if (!LegacySignatureBundles.carriesCertificate(layer)) {
          continue;
        }
        if (already + ++seen > CosignRequirementVerifier.MAX_LAYERS) {
          failures.add(
              "more than "
                  + CosignRequirementVerifier.MAX_LAYERS
                  + " signatures; the rest were not checked");
          return;
        }
        String name = "legacy signature " + shortName(d.parsedDigest());
        Optional<String> claim = claimedImage(blob, image);
        if (claim.isPresent()) {
          failures.add(name + ": " + claim.get());
          continue;
        }
        BundleOutcome outcome;
        try {
          outcome = verify(LegacySignatureBundles.toBundle(layer), Artifact.ofContent(blob));
        } catch (SigstoreFormatException e) {
          failures.add(name + ": " + e.getMessage());
          continue;
        }
        if (outcome.verified()) {
          add(signers, signer(outcome, "legacy .sig"));
        } else {
          failures.add(name + ": " + outcome.failure());
        }
      }
    }
  }

  /** Empty when the simple-signing payload claims {@code image}; else why not. */
  private static Optional<String> claimedImage(byte[] payload, Digest image) {
    try {
      SimpleSigningPayload parsed = SimpleSigningPayload.parse(payload);
      if (!SimpleSigningPayload.COSIGN_TYPE.equals(parsed.type())) {
        return Optional.of("critical.type is '" + parsed.type() + "'");
      }
      if (!image.equals(parsed.manifestDigest())) {
        return Optional.of("signs " + parsed.manifestDigest() + ", not " + image);
      }
      return Optional.empty();
    } catch (InvalidPayloadException e) {
      return Optional.of(e.getMessage());
    }
  }

  private BundleOutcome verify(SigstoreBundle bundle, Artifact artifact) {
    try {
      return verifier.verify(bundle, artifact, requirements);
    } catch (RuntimeException e) {
      // the verifier never throws for a bad bundle; should it, the bundle does not count
      return BundleOutcome.failed("could not be verified: " + e);
    }
  }

  /**
   * {@code keyless https://github.com/myorg/app/...@refs/tags/v1 (issuer ...) log index 123
   * (public-good, sigstore bundle)} or {@code cosign key 0123abcd... (release-keys, sigstore
   * bundle)}.
   */
  private SignedBy signer(BundleOutcome outcome, String format) {
    String who =
        outcome
            .signer()
            .map(s -> keyless ? "keyless " + s.describe() : "cosign " + s.describe())
            .orElse("?");
    String index =
        outcome.logIndex().isPresent() ? " log index " + outcome.logIndex().getAsLong() : "";
    return SignedBy.verified(
        who + index + " (" + store + ", " + format + ")", outcome.signer(), outcome.logIndex());
  }

  private static void add(List<SignedBy> signers, SignedBy signer) {
    if (!signers.contains(signer)) {
      signers.add(signer);
    }
  }

  static String shortName(Digest digest) {
    String hex = digest.hex();
    return digest.algorithm() + ":" + hex.substring(0, Math.min(12, hex.length()));
  }

  private static byte[] blob(CosignSignatures signatures, Descriptor layer) {
    try {
      return signatures.layerBlobs().get(layer.parsedDigest());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
