package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.FetchedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryNotFoundException;
import io.portcullis.core.registry.RemoteRepository;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * cosign's registry layout (<a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">signature spec</a>):
 * the signatures of {@code repo@sha256:<hex>} are the layers of the manifest tagged {@code
 * sha256-<hex>.sig}, attestations those of {@code sha256-<hex>.att}. Adding one appends a layer and
 * re-pushes the manifest, keeping earlier signatures.
 */
final class CosignAttachments {
  static final String SIGNATURES = ".sig";
  static final String ATTESTATIONS = ".att";

  /** Signatures and envelopes are small; a bigger layer is not one of ours. */
  private static final long MAX_LAYER_BYTES = 16L * 1024 * 1024;

  /** An attached layer with its content, already checked against its digest. */
  record Attached(Descriptor layer, byte[] content) {}

  private final RegistryClient client;

  CosignAttachments(RegistryClient client) {
    this.client = client;
  }

  static Tag tag(Digest subject, String suffix) {
    return Tag.of(subject.referrersTag() + suffix);
  }

  /**
   * Appends a layer to the manifest at {@code tag} (creating it if absent) unless an identical
   * layer is there already; returns the digest of the manifest now at the tag.
   */
  Digest append(
      RemoteRepository repo,
      Tag tag,
      byte[] content,
      String mediaType,
      Map<String, String> annotations) {
    Descriptor layer = client.pushBlob(repo, content, mediaType).withAnnotations(annotations);
    List<Descriptor> layers =
        new ArrayList<>(existing(repo, tag).map(ImageManifest::layers).orElse(List.of()));
    if (layers.stream()
        .noneMatch(l -> l.digest().equals(layer.digest()) && l.annotations().equals(annotations))) {
      layers.add(layer);
    }
    Descriptor config = client.pushBlob(repo, config(layers), MediaTypes.OCI_CONFIG);
    byte[] manifest =
        ManifestCodec.write(
            new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, null));
    return client
        .pushManifest(repo, Reference.of(tag), manifest, MediaTypes.OCI_MANIFEST)
        .descriptor()
        .parsedDigest();
  }

  /** The layers of {@code mediaType} at {@code tag} with their content; empty if no tag. */
  List<Attached> read(RemoteRepository repo, Tag tag, String mediaType) {
    List<Attached> found = new ArrayList<>();
    for (Descriptor layer : existing(repo, tag).map(ImageManifest::layers).orElse(List.of())) {
      if (mediaType.equals(layer.mediaType())) {
        found.add(
            new Attached(layer, client.fetchBlob(repo, layer.parsedDigest(), MAX_LAYER_BYTES)));
      }
    }
    return found;
  }

  private Optional<ImageManifest> existing(RemoteRepository repo, Tag tag) {
    try {
      FetchedManifest fetched = client.getManifest(repo, Reference.of(tag));
      return Optional.of(fetched.asManifest());
    } catch (RegistryNotFoundException e) {
      return Optional.empty();
    }
  }

  /** An OCI image config listing the layers, as cosign writes one, so tools can inspect it. */
  private static byte[] config(List<Descriptor> layers) {
    StringBuilder ids = new StringBuilder();
    for (Descriptor l : layers) {
      ids.append(ids.length() == 0 ? "" : ",").append('"').append(l.digest()).append('"');
    }
    return ("{\"architecture\":\"\",\"config\":{},\"os\":\"\",\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":["
            + ids
            + "]}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
