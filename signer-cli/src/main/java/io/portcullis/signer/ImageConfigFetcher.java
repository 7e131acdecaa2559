package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.policy.ImageConfigEvidence;
import io.portcullis.core.registry.FetchedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RemoteRepository;
import java.util.ArrayList;
import java.util.List;

/**
 * Fetches the image config(s) the vetting rules read: the config of a single image, or of every
 * platform child of an index (<a
 * href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">image index</a>), as
 * the gateway does, so both vet the same bytes. Children without a real platform (buildx's {@code
 * unknown/unknown} attestation manifests) are not images and are skipped.
 */
final class ImageConfigFetcher {
  private final RegistryClient client;

  ImageConfigFetcher(RegistryClient client) {
    this.client = client;
  }

  List<ImageConfigEvidence> fetch(ResolvedImage target) {
    RemoteRepository repo = target.repository();
    FetchedManifest top = client.getManifest(repo, target.reference());
    if (!top.isIndex()) {
      return List.of(new ImageConfigEvidence("", config(repo, top.asManifest())));
    }
    List<ImageConfigEvidence> configs = new ArrayList<>();
    for (Descriptor child : top.asIndex().images()) {
      ImageManifest manifest =
          client.getManifest(repo, Reference.of(child.parsedDigest())).asManifest();
      configs.add(
          new ImageConfigEvidence(
              Descriptor.Platform.describe(child.platform()), config(repo, manifest)));
    }
    return configs;
  }

  private byte[] config(RemoteRepository repo, ImageManifest manifest) {
    return client.fetchBlob(repo, manifest.config().parsedDigest(), ImageConfigEvidence.MAX_BYTES);
  }
}
