package io.portcullis.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * One tagged image (or image index) in an OCI image layout directory.
 *
 * @param dir the layout directory (holding {@code oci-layout}, {@code index.json}, {@code blobs/})
 * @param tag the {@code org.opencontainers.image.ref.name} of the entry
 * @param digest the digest of the manifest or index the tag points at
 * @param mediaType the media type of that manifest or index
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/image-layout.md">OCI image
 *     layout</a>
 */
public record OciLayout(Path dir, String tag, String digest, String mediaType) {
  static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";

  /** The skopeo/containers-image reference: {@code oci:<dir>:<tag>}. */
  public String ref() {
    return "oci:" + dir + ":" + tag;
  }

  /** True when the tag names a multi-platform image index rather than one manifest. */
  public boolean isIndex() {
    return INDEX_MEDIA_TYPE.equals(mediaType);
  }

  /** The path of a blob in this layout. */
  public Path blob(String digest) {
    String[] parts = digest.split(":", 2);
    return dir.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
  }

  /** Looks up {@code tag} in the layout's {@code index.json}. */
  static OciLayout read(Path dir, String tag) {
    JsonNode index;
    try {
      index = new ObjectMapper().readTree(dir.resolve("index.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the index of " + dir, e);
    }
    for (JsonNode entry : index.path("manifests")) {
      if (tag.equals(entry.path("annotations").path(REF_NAME).asText())) {
        return new OciLayout(
            dir, tag, entry.path("digest").asText(), entry.path("mediaType").asText());
      }
    }
    throw new IllegalStateException("no tag '" + tag + "' in " + dir.resolve("index.json"));
  }
}
