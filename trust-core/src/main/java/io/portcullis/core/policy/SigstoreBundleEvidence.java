package io.portcullis.core.policy;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import java.util.Objects;
import java.util.Optional;

/**
 * A Sigstore bundle found as an OCI 1.1 referrer of the image (the referrers API or its {@code
 * sha256-<hex>} tag fallback), as cosign v3 and GitHub's artifact attestations store them: the
 * referrer manifest's digest, its {@code artifactType}, the {@code
 * dev.sigstore.bundle.predicateType} annotation when given (a hint only: the verified statement
 * decides) and the bundle layer's bytes. Nothing here is trusted until the bundle verifies.
 *
 * @param manifest the referrer manifest's digest, to name it in messages
 * @param artifactType the referrer's artifact type, a bundle media type
 * @param predicateType the annotated predicate type, when given
 * @param bundle the bundle JSON, as fetched (capped at {@link SignatureBudget#MAX_SIGNATURE_BYTES})
 */
public record SigstoreBundleEvidence(
    Digest manifest, String artifactType, Optional<String> predicateType, byte[] bundle) {

  /** The annotation cosign v3 and GitHub set on a bundle referrer: the statement's type. */
  public static final String PREDICATE_TYPE = "dev.sigstore.bundle.predicateType";

  /**
   * The predicate type a bundle referrer announces: on its manifest, else on its descriptor in the
   * referrers list.
   */
  public static Optional<String> announcedPredicateType(ImageManifest referrer, Descriptor listed) {
    return Optional.ofNullable(referrer.annotations().get(PREDICATE_TYPE))
        .or(() -> Optional.ofNullable(listed.annotations().get(PREDICATE_TYPE)));
  }

  public SigstoreBundleEvidence {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(artifactType, "artifactType");
    Objects.requireNonNull(predicateType, "predicateType");
    bundle = bundle.clone();
  }

  @Override
  public byte[] bundle() {
    return bundle.clone();
  }
}
