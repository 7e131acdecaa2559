package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.policy.ImageConfigEvidence;
import io.portcullis.core.registry.FetchedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RemoteRepository;
import java.util.ArrayList;
import java.util.List;

/**
 * Fetches the image config(s) the vetting rules read, from the manifest already fetched for the
 * decision: the config of a single image, or of every platform child of an index (<a
 * href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">image index</a>), as
 * the gateway does, so both vet the same bytes. Children without a real platform (buildx's {@code
 * unknown/unknown} attestation manifests) are not images and are skipped.
 *
 * <p>Every platform must be checked, so, as in the gateway, an index with more than {@link
 * ImageConfigEvidence#MAX_PLATFORMS} images, a nested index, a manifest without a config or one
 * over {@link ImageConfigEvidence#MAX_BYTES} fails the whole collection with a {@link
 * CouldNotVerifyException} rather than let a platform through unvetted.
 */
final class ImageConfigFetcher {
  private final RegistryClient client;

  ImageConfigFetcher(RegistryClient client) {
    this.client = client;
  }

  List<ImageConfigEvidence> fetch(RemoteRepository repo, FetchedManifest top) {
    try {
      if (!top.isIndex()) {
        return List.of(new ImageConfigEvidence("", config(repo, "", top.asManifest())));
      }
      List<Descriptor> images = top.asIndex().images();
      if (images.size() > ImageConfigEvidence.MAX_PLATFORMS) {
        throw unvettable(
            "the index lists "
                + images.size()
                + " images, over the "
                + ImageConfigEvidence.MAX_PLATFORMS
                + " whose configs are vetted");
      }
      if (images.stream().anyMatch(child -> MediaTypes.isIndex(child.mediaType()))) {
        throw nested();
      }
      List<ImageConfigEvidence> configs = new ArrayList<>();
      for (Descriptor child : images) {
        String platform = Descriptor.Platform.describe(child.platform());
        FetchedManifest manifest = client.getManifest(repo, Reference.of(child.parsedDigest()));
        if (manifest.isIndex()) {
          throw nested(); // the entry claimed to be an image
        }
        configs.add(
            new ImageConfigEvidence(platform, config(repo, platform, manifest.asManifest())));
      }
      return configs;
    } catch (IllegalArgumentException malformed) {
      // unparseable JSON, or a digest that is not one (InvalidReferenceException)
      throw unvettable("the manifest is malformed: " + malformed.getMessage());
    }
  }

  private byte[] config(RemoteRepository repo, String platform, ImageManifest manifest) {
    ImageConfigEvidence.configProblem(platform, manifest)
        .ifPresent(
            problem -> {
              throw unvettable(problem);
            });
    Descriptor config = manifest.config();
    // capped at the declared size too, so a registry cannot send more than it announced
    return client.fetchBlob(repo, config.parsedDigest(), config.size());
  }

  private static CouldNotVerifyException nested() {
    return unvettable("the index nests another index, whose platforms are not vetted");
  }

  private static CouldNotVerifyException unvettable(String why) {
    return new CouldNotVerifyException("cannot vet the image config: " + why);
  }
}
