package io.portcullis.signer;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.policy.SignatureBudget;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryNotFoundException;
import io.portcullis.core.registry.RemoteRepository;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads and appends cosign attachment manifests ({@code sha256-<hex>.sig} and {@code .att}, per the
 * <a href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md#storage">cosign
 * signature spec</a>) through the registry client. trust-core's {@link AttachmentManifest} builds
 * the manifest; this class moves the bytes.
 */
final class CosignAttachmentStore {
  /**
   * Attestation envelopes of {@code verify --attestation-type} are small; a bigger layer is not one
   * of ours. Signatures are fetched within the {@link SignatureBudget} instead.
   */
  static final long MAX_LAYER_BYTES = 16L * 1024 * 1024;

  private final RegistryClient client;

  CosignAttachmentStore(RegistryClient client) {
    this.client = client;
  }

  static Tag tag(Digest subject, String suffix) {
    return Tag.of(AttachmentManifest.tag(subject, suffix));
  }

  /** The attachment manifest at {@code tag}, or empty when nothing is attached yet. */
  Optional<ImageManifest> read(RemoteRepository repo, Tag tag) {
    try {
      return Optional.of(client.getManifest(repo, Reference.of(tag)).asManifest());
    } catch (RegistryNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Appends {@code layer} to the manifest at {@code tag}, keeping earlier layers. Returns empty
   * when an identical layer (same content and annotations) is already attached.
   */
  Optional<Digest> append(RemoteRepository repo, Tag tag, AttachmentLayer layer) {
    ImageManifest existing = read(repo, tag).orElse(null);
    if (existing != null
        && existing.layers().stream().anyMatch(l -> l.equals(layer.descriptor()))) {
      return Optional.empty();
    }
    AttachmentManifest updated =
        AttachmentManifest.append(existing, java.util.List.of(layer), Instant.now());
    for (AttachmentLayer added : updated.newLayers()) {
      client.pushBlob(repo, added.content(), added.mediaType());
    }
    ImageManifest parsed = updated.parsed();
    client.pushBlob(repo, updated.config(), parsed.config().mediaType());
    client.pushManifest(repo, Reference.of(tag), updated.manifest(), parsed.mediaType());
    return Optional.of(updated.digest());
  }

  /**
   * The simple-signing layers {@code selection} picked, each fetched capped at its declared size
   * (the verifiers check the digest themselves), so the CLI reads no more than the gateway does.
   */
  List<AttachmentLayer> signatures(RemoteRepository repo, SignatureBudget.Selection selection) {
    List<AttachmentLayer> layers = new ArrayList<>();
    for (Descriptor layer : selection.layers()) {
      layers.add(
          new AttachmentLayer(layer, client.fetchBlob(repo, layer.parsedDigest(), layer.size())));
    }
    return layers;
  }

  /** Fetches an attestation layer's blob for the verifier (which checks its digest itself). */
  AttachmentLayer.BlobFetcher fetcher(RemoteRepository repo) {
    return descriptor -> client.fetchBlob(repo, descriptor.parsedDigest(), MAX_LAYER_BYTES);
  }
}
