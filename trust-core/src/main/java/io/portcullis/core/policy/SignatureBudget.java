package io.portcullis.core.policy;

import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which signatures of an image are fetched for the {@code signatures} rules, by the gateway and by
 * {@code portcullis-signer verify} alike: the newest {@value #MAX_SIGNATURES} simple-signing layers
 * of cosign's {@code sha256-<hex>.sig} manifest (<a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md#storage">cosign
 * storage</a>), and the first {@value #MAX_SIGNATURES} Notary Project signature referrers (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage">notation
 * storage</a>); each blob declared at most {@value #MAX_SIGNATURE_BYTES} bytes, so a hostile
 * registry cannot make either buffer much. Each blob is to be fetched capped at its declared size,
 * so the budget holds whatever the registry sends.
 *
 * <p>Cosign signing appends a layer, so the newest are the last: an image signed again after a key
 * rotation is judged on its new signature however many old ones it has. The referrers API gives no
 * order, so the first Notary referrers are taken; Sigstore bundle referrers likewise ({@link
 * #bundleReferrers}, {@link #bundleLayer}). Signatures left out are reported by the evaluator as
 * not fetched, and by the CLI in a {@link Selection#note()} line.
 */
public final class SignatureBudget {
  /** Cosign simple-signing layers and Notary referrers read per image, each. */
  public static final int MAX_SIGNATURES = 32;

  /** The largest signature blob fetched: a simple-signing payload or a notation envelope. */
  public static final int MAX_SIGNATURE_BYTES = 1024 * 1024;

  private SignatureBudget() {}

  /**
   * The simple-signing layers to fetch, newest first, and how many the manifest lists.
   *
   * @param layers the layers to fetch, each with the size to cap it at
   * @param signatures how many simple-signing layers the manifest lists in all
   */
  public record Selection(List<Descriptor> layers, int signatures) {
    public Selection {
      layers = List.copyOf(layers);
    }

    /**
     * Says what was left out, when something was: {@code 31 of 40 cosign signatures were fetched
     * (the newest 32 per image, at most 1 MiB each)}.
     */
    public Optional<String> note() {
      return SignatureBudget.note("cosign signatures", "newest", layers.size(), signatures);
    }
  }

  /**
   * The simple-signing layers of {@code sig} within the budget: of its newest {@value
   * #MAX_SIGNATURES} simple-signing layers, those declared between 0 and {@value
   * #MAX_SIGNATURE_BYTES} bytes.
   */
  public static Selection cosign(ImageManifest sig) {
    List<Descriptor> wanted = new ArrayList<>();
    int signatures = 0;
    List<Descriptor> layers = sig.layers();
    for (int i = layers.size() - 1; i >= 0; i--) {
      Descriptor l = layers.get(i);
      if (!SimpleSigningPayload.MEDIA_TYPE.equals(l.mediaType())) {
        continue; // the evaluator reads no other layer, so it is neither fetched nor counted
      }
      signatures++;
      if (signatures <= MAX_SIGNATURES && withinCap(l)) {
        wanted.add(l);
      }
    }
    return new Selection(wanted, signatures);
  }

  /** The Notary Project signature referrers whose manifests are fetched: the first ones. */
  public static List<Descriptor> notationReferrers(List<Descriptor> referrers) {
    return List.copyOf(referrers.subList(0, Math.min(referrers.size(), MAX_SIGNATURES)));
  }

  /** The prefix of every Sigstore bundle media type, as an artifact type or a layer type. */
  public static final String SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle";

  /**
   * Whether {@code type} names a Sigstore bundle ({@code application/vnd.dev.sigstore.bundle*}).
   */
  public static boolean isSigstoreBundle(String type) {
    return type != null && type.startsWith(SIGSTORE_BUNDLE);
  }

  /**
   * The Sigstore bundle referrers whose manifests are fetched: the first {@value #MAX_SIGNATURES}
   * whose {@code artifactType} is a bundle media type (cosign v3 signatures and attestations,
   * GitHub artifact attestations) and whose digest parses.
   */
  public static List<Descriptor> bundleReferrers(List<Descriptor> referrers) {
    // Image signatures first (by their predicate-type annotation, a hint only: the verified
    // statement decides), so attestations piling up (SBOMs per platform, provenance per build)
    // cannot push the signature out of the budget; the rest keep their order.
    List<Descriptor> bundles =
        referrers.stream()
            .filter(d -> isSigstoreBundle(d.artifactType()) && namesDigest(d))
            .sorted(Comparator.comparing(d -> !announcesImageSignature(d)))
            .toList();
    return List.copyOf(bundles.subList(0, Math.min(bundles.size(), MAX_SIGNATURES)));
  }

  private static boolean announcesImageSignature(Descriptor referrer) {
    return BundleRequirementVerifier.COSIGN_SIGN_PREDICATE.equals(
        referrer.annotations().get(SigstoreBundleEvidence.PREDICATE_TYPE));
  }

  /**
   * The bundle layer of a Sigstore bundle referrer when it is within the budget: its first layer
   * typed as a bundle, declared at most {@value #MAX_SIGNATURE_BYTES} bytes, its digest parsing;
   * empty otherwise, and the bundle is then left out.
   */
  public static Optional<Descriptor> bundleLayer(ImageManifest referrer) {
    return referrer.layers().stream()
        .filter(l -> isSigstoreBundle(l.mediaType()))
        .findFirst()
        .filter(l -> withinCap(l) && namesDigest(l));
  }

  /**
   * Whether a descriptor names a digest that can be fetched. One that does not is no evidence (a
   * denial), rather than a fetch that throws: the gateway would answer every pull of the image with
   * 503 "could not verify", and the CLI would stop with an error.
   */
  private static boolean namesDigest(Descriptor d) {
    return Digest.isDigest(d.digest());
  }

  /**
   * The envelope layer of a Notary Project signature manifest when it is within the budget; empty
   * when the manifest has no layer or its first is declared over {@value #MAX_SIGNATURE_BYTES}
   * bytes, and the signature is then left out.
   */
  public static Optional<Descriptor> notationEnvelope(ImageManifest signature) {
    if (signature.layers().isEmpty() || !withinCap(signature.layers().get(0))) {
      return Optional.empty();
    }
    return Optional.of(signature.layers().get(0));
  }

  /**
   * Says what was left out, when something was: {@code 30 of 40 Notary Project signatures were
   * fetched (the first 32 per image, at most 1 MiB each)}.
   *
   * @param what the signatures counted, e.g. {@code Notary Project signatures}
   * @param which which were taken: {@code first} or {@code newest}
   */
  public static Optional<String> note(String what, String which, int fetched, int found) {
    if (fetched == found) {
      return Optional.empty();
    }
    return Optional.of(
        fetched
            + " of "
            + found
            + " "
            + what
            + " were fetched (the "
            + which
            + " "
            + MAX_SIGNATURES
            + " per image, at most "
            + MAX_SIGNATURE_BYTES / (1024 * 1024)
            + " MiB each)");
  }

  private static boolean withinCap(Descriptor blob) {
    return blob.size() >= 0 && blob.size() <= MAX_SIGNATURE_BYTES;
  }
}
