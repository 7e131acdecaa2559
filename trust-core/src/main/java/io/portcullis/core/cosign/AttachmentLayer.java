package io.portcullis.core.cosign;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One layer of a cosign attachment manifest ({@code .sig} or {@code .att}, see <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">the cosign signature
 * spec</a>): its descriptor as the manifest states it, and the blob bytes as fetched. The two are
 * kept apart on purpose: whether the bytes match the descriptor is a verification check.
 */
public record AttachmentLayer(Descriptor descriptor, byte[] content) {

  public AttachmentLayer {
    content = content.clone();
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  /** A new layer whose descriptor is computed from {@code content}. */
  public static AttachmentLayer create(
      String mediaType, byte[] content, Map<String, String> annotations) {
    Descriptor descriptor =
        Descriptor.of(mediaType, Digest.sha256(content), content.length)
            .withAnnotations(annotations);
    return new AttachmentLayer(descriptor, content);
  }

  /** Fetches the layers of {@code mediaType} from {@code manifest}; other layers are skipped. */
  public static List<AttachmentLayer> fromManifest(
      ImageManifest manifest, String mediaType, BlobFetcher fetcher) throws IOException {
    List<AttachmentLayer> layers = new ArrayList<>();
    for (Descriptor layer : manifest.layers()) {
      if (mediaType.equals(layer.mediaType())) {
        layers.add(new AttachmentLayer(layer, fetcher.fetch(layer)));
      }
    }
    return layers;
  }

  public String mediaType() {
    return descriptor.mediaType();
  }

  public Optional<String> annotation(String key) {
    return Optional.ofNullable(descriptor.annotations().get(key));
  }

  /** Null when the bytes hash to the descriptor's digest; otherwise why not. */
  String contentMismatch() {
    Digest expected;
    try {
      expected = descriptor.parsedDigest();
    } catch (RuntimeException e) {
      return "layer digest is malformed: " + e.getMessage();
    }
    MessageDigest md = expected.newMessageDigest();
    if (!expected.matches(md.digest(content))) {
      return "layer content hashes to "
          + Digest.of(expected.algorithm(), content)
          + " but its descriptor says "
          + expected;
    }
    if (descriptor.size() != content.length) {
      return "layer is " + content.length + " bytes but its descriptor says " + descriptor.size();
    }
    return null;
  }

  /** Fetches a blob by descriptor, e.g. from the upstream registry or a local cache. */
  @FunctionalInterface
  public interface BlobFetcher {
    byte[] fetch(Descriptor descriptor) throws IOException;
  }
}
