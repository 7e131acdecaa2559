package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
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
    byte[] manifest = manifestWithBlobs(client, repo, content);
    client.pushManifest(repo, Reference.of(Tag.of(tag)), manifest, MediaTypes.OCI_MANIFEST);
    return manifest;
  }

  /** Pushes the config and layer blobs of a one-layer image; its manifest, not yet pushed. */
  private static byte[] manifestWithBlobs(
      RegistryClient client, RemoteRepository repo, String content) {
    Descriptor config =
        client.pushBlob(repo, "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG);
    Descriptor layer =
        client.pushBlob(repo, content.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_LAYER_GZIP);
    return ManifestCodec.write(
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, List.of(layer), null, null));
  }

  /**
   * Pushes an index of two one-layer images (linux/amd64 and linux/arm64, by digest only) to {@code
   * repo} of the registry at {@code host} as {@code tag}; the index's reference, {@code
   * host/repo:tag}, and the children's digests.
   */
  static MultiPlatform pushIndex(RegistryClient client, String host, String repo, String tag) {
    RemoteRepository remote = RemoteRepository.of(host, repo);
    List<Descriptor> children = new java.util.ArrayList<>();
    for (String arch : List.of("amd64", "arm64")) {
      byte[] manifest = manifestWithBlobs(client, remote, repo + " " + arch);
      Digest digest = Digest.sha256(manifest);
      client.pushManifest(remote, Reference.of(digest), manifest, MediaTypes.OCI_MANIFEST);
      children.add(
          new Descriptor(
              MediaTypes.OCI_MANIFEST,
              digest.toString(),
              manifest.length,
              null,
              null,
              null,
              new Descriptor.Platform(arch, "linux", null)));
    }
    byte[] index =
        ManifestCodec.write(new ImageIndex(2, MediaTypes.OCI_INDEX, null, children, null, null));
    client.pushManifest(remote, Reference.of(Tag.of(tag)), index, MediaTypes.OCI_INDEX);
    return new MultiPlatform(
        host + "/" + repo + ":" + tag,
        children.stream().map(d -> host + "/" + repo + "@" + d.digest()).toList());
  }

  /** An index's reference and its platform manifests' references by digest. */
  record MultiPlatform(String index, List<String> children) {}

  /**
   * Pushes a fresh image to {@code repo} of the registry at {@code host}, its layer the repository
   * name so each repository's image differs; the image's reference, {@code host/repo:tag}.
   */
  static String push(RegistryClient client, String host, String repo, String tag) {
    push(client, RemoteRepository.of(host, repo), tag, repo);
    return host + "/" + repo + ":" + tag;
  }
}
