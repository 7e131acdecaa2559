package io.portcullis.core.policy;

import io.portcullis.core.oci.Digest;
import java.util.List;
import java.util.Objects;

/**
 * Everything fetched from the registry about one image digest; the evaluator does no I/O, so the
 * gateway can fetch asynchronously and the CLI blockingly, and both get the same decision.
 *
 * @param repository the repository path the policy was chosen for (no registry host)
 * @param image the manifest digest being decided on
 * @param cosign the {@code sha256-<hex>.sig} manifest(s) with their layer blobs; empty when none
 * @param notation the Notary Project signatures found through the referrers API
 * @param configs the image config (one per platform child of an index); empty unless the policy
 *     {@linkplain Policy#needsImageConfig() needs it}
 * @param attestations the {@code sha256-<hex>.att} manifest(s) with their layer blobs; empty unless
 *     the policy {@linkplain Policy#needsAttestations() needs them}
 * @param bundles the Sigstore bundles found as referrers (cosign v3 signatures and attestations,
 *     GitHub artifact attestations); empty unless the policy {@linkplain Policy#needsBundles()
 *     needs them}
 * @param dct for each {@code dct} requirement, what its Notary server's verified metadata says of
 *     the image; empty unless the policy has {@code dct} requirements
 */
public record Evidence(
    String repository,
    Digest image,
    List<CosignSignatures> cosign,
    List<NotationSignature> notation,
    List<ImageConfigEvidence> configs,
    List<CosignSignatures> attestations,
    List<SigstoreBundleEvidence> bundles,
    List<DctEvidence> dct) {

  /** Evidence without Docker Content Trust. */
  public Evidence(
      String repository,
      Digest image,
      List<CosignSignatures> cosign,
      List<NotationSignature> notation,
      List<ImageConfigEvidence> configs,
      List<CosignSignatures> attestations,
      List<SigstoreBundleEvidence> bundles) {
    this(repository, image, cosign, notation, configs, attestations, bundles, List.of());
  }

  /** Evidence without Sigstore bundles. */
  public Evidence(
      String repository,
      Digest image,
      List<CosignSignatures> cosign,
      List<NotationSignature> notation,
      List<ImageConfigEvidence> configs,
      List<CosignSignatures> attestations) {
    this(repository, image, cosign, notation, configs, attestations, List.of());
  }

  /** Signature evidence only, for policies without vetting rules. */
  public Evidence(
      String repository,
      Digest image,
      List<CosignSignatures> cosign,
      List<NotationSignature> notation) {
    this(repository, image, cosign, notation, List.of(), List.of());
  }

  public Evidence {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(image, "image");
    cosign = List.copyOf(cosign);
    notation = List.copyOf(notation);
    configs = List.copyOf(configs);
    attestations = List.copyOf(attestations);
    bundles = List.copyOf(bundles);
    dct = List.copyOf(dct);
  }
}
