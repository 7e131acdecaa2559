package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RemoteRepository;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The smallest real image a test can sign: an empty JSON config and one layer, pushed with the
 * {@link RegistryClient} under test (no skopeo needed).
 */
final class OneLayerImages {
  private OneLayerImages() {}

  /**
   * Pushes an image whose one layer is {@code content} to {@code repo} as {@code tag}; its manifest
   * bytes.
   */
  static byte[] push(RegistryClient client, RemoteRepository repo, String tag, String content) {
    Descriptor config =
        client.pushBlob(repo, "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG);
    Descriptor layer =
        client.pushBlob(repo, content.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_LAYER_GZIP);
    byte[] manifest =
        ManifestCodec.write(
            new ImageManifest(
                2, MediaTypes.OCI_MANIFEST, null, config, List.of(layer), null, null));
    client.pushManifest(repo, Reference.of(Tag.of(tag)), manifest, MediaTypes.OCI_MANIFEST);
    return manifest;
  }

  /**
   * Pushes a fresh image to {@code repo} of the registry at {@code host}, its layer the repository
   * name so each repository's image differs; the image's reference, {@code host/repo:tag}.
   */
  static String push(RegistryClient client, String host, String repo, String tag) {
    push(client, RemoteRepository.of(host, repo), tag, repo);
    return host + "/" + repo + ":" + tag;
  }
}
