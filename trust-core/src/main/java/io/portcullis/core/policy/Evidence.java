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
 */
public record Evidence(
    String repository,
    Digest image,
    List<CosignSignatures> cosign,
    List<NotationSignature> notation) {

  public Evidence {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(image, "image");
    cosign = List.copyOf(cosign);
    notation = List.copyOf(notation);
  }
}
