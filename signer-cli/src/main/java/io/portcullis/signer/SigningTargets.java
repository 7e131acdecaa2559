package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.registry.FetchedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryProtocolException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The manifests {@code sign} and {@code attest} put a signature on: the image named, and with
 * {@code --recursive} (as cosign's) every manifest an index lists, depth first, each once. A
 * platform manifest pulled by its own digest (as Kubernetes pins them) is then verifiable on its
 * own, without knowledge of the index that lists it.
 */
final class SigningTargets {
  /** OCI allows indexes of indexes; deeper than this is a loop or an attack, not an image. */
  static final int MAX_DEPTH = 4;

  private SigningTargets() {}

  /** {@code image}, or with {@code recursive} the image and every manifest under it. */
  static List<ResolvedImage> of(RegistryClient client, String image, boolean recursive) {
    if (!recursive) {
      return List.of(ResolvedImage.resolve(client, image));
    }
    ResolvedImage.Fetched top = ResolvedImage.fetch(client, image);
    List<ResolvedImage> targets = new ArrayList<>();
    walk(client, top.image(), top.manifest(), 0, new LinkedHashSet<>(), targets);
    return targets;
  }

  private static void walk(
      RegistryClient client,
      ResolvedImage target,
      FetchedManifest manifest,
      int depth,
      Set<Digest> seen,
      List<ResolvedImage> targets) {
    if (!seen.add(target.digest())) {
      return;
    }
    targets.add(target);
    if (!manifest.isIndex()) {
      return;
    }
    if (depth >= MAX_DEPTH) {
      throw new RegistryProtocolException(
          "index " + target.pinned() + " nests indexes deeper than " + MAX_DEPTH);
    }
    ImageIndex index;
    try {
      index = ManifestCodec.readIndex(manifest.bytes());
    } catch (IllegalArgumentException e) {
      throw new RegistryProtocolException("index " + target.pinned() + ": " + e.getMessage());
    }
    for (Descriptor entry : index.manifests()) {
      Digest digest;
      try {
        digest = entry.parsedDigest();
      } catch (IllegalArgumentException e) {
        throw new RegistryProtocolException("index " + target.pinned() + ": " + e.getMessage());
      }
      if (entry.mediaType() == null || entry.mediaType().isEmpty()) {
        throw new RegistryProtocolException(
            "index " + target.pinned() + " lists " + digest + " without a mediaType");
      }
      ResolvedImage child = target.child(Descriptor.of(entry.mediaType(), digest, entry.size()));
      if (MediaTypes.isIndex(entry.mediaType())) {
        FetchedManifest nested = client.getManifest(child.repository(), Reference.of(digest));
        walk(client, child, nested, depth + 1, seen, targets);
      } else if (seen.add(digest)) {
        targets.add(child);
      }
    }
  }
}
