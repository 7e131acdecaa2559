package io.portcullis.core.cosign;

import io.portcullis.core.oci.Digest;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether an image carries at least one valid signature (or attestation), with the per-layer
 * detail. A failed verification is a value, not an exception: the caller decides whether to block
 * or only warn. Faults that prevent verifying at all (registry unreachable) stay exceptions, so
 * "failed" and "could not verify" are never confused.
 */
public record VerificationOutcome(Digest image, List<LayerOutcome> layers) {

  public VerificationOutcome {
    layers = List.copyOf(layers);
  }

  /** True when at least one layer passed every check. */
  public boolean verified() {
    return layers.stream().anyMatch(LayerOutcome::verified);
  }

  /** The layers that passed every check. */
  public List<LayerOutcome> verifiedLayers() {
    return layers.stream().filter(LayerOutcome::verified).toList();
  }

  /** Why each failing layer failed, or why there is nothing to verify. */
  public List<String> reasons() {
    if (layers.isEmpty()) {
      return List.of("no signatures found for " + image);
    }
    return layers.stream()
        .filter(layer -> !layer.verified())
        .map(layer -> layer.layerDigest() + ": " + layer.failure().orElse("not verified"))
        .collect(Collectors.toList());
  }
}
