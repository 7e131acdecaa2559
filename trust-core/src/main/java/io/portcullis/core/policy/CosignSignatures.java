package io.portcullis.core.policy;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A cosign {@code .sig} manifest (<a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signature
 * spec</a>) and the blobs of its layers, keyed by the digest the manifest states. A layer whose
 * blob is missing fails; a blob whose bytes do not hash to its key fails the layer-digest check.
 */
public record CosignSignatures(ImageManifest signatureManifest, Map<Digest, byte[]> layerBlobs) {

  public CosignSignatures {
    Objects.requireNonNull(signatureManifest, "signatureManifest");
    Map<Digest, byte[]> copy = new HashMap<>();
    layerBlobs.forEach((digest, bytes) -> copy.put(digest, bytes.clone()));
    layerBlobs = Map.copyOf(copy);
  }
}
