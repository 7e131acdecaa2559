package io.portcullis.core.registry;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;

/**
 * A manifest exactly as the registry served it. {@code digest} was computed over {@code bytes} (and
 * checked against the digest requested, when one was), so signing it signs these bytes.
 */
public record FetchedManifest(Digest digest, String mediaType, byte[] bytes) {

  public FetchedManifest {
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public Descriptor descriptor() {
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  public ImageManifest asManifest() {
    return ManifestCodec.readManifest(bytes);
  }

  public ImageIndex asIndex() {
    return ManifestCodec.readIndex(bytes);
  }
}
