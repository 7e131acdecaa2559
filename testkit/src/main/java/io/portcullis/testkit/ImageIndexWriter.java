package io.portcullis.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Adds a multi-platform image index to an OCI layout. umoci builds single-platform images only, so
 * the index blob over them is written here and tagged in the layout's {@code index.json}.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">OCI image
 *     index</a>
 */
final class ImageIndexWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One platform image of the index. */
  record Entry(OciLayout image, ImageSpec spec) {}

  private ImageIndexWriter() {}

  static void write(Path layout, String tag, Iterable<Entry> entries) {
    try {
      ObjectNode index = JSON.createObjectNode();
      index.put("schemaVersion", 2);
      index.put("mediaType", OciLayout.INDEX_MEDIA_TYPE);
      ArrayNode manifests = index.putArray("manifests");
      for (Entry entry : entries) {
        ObjectNode descriptor = manifests.addObject();
        descriptor.put("mediaType", entry.image().mediaType());
        descriptor.put("digest", entry.image().digest());
        descriptor.put("size", Files.size(entry.image().blob(entry.image().digest())));
        ObjectNode platform = descriptor.putObject("platform");
        platform.put("architecture", entry.spec().architecture());
        platform.put("os", entry.spec().os());
      }
      byte[] bytes = JSON.writeValueAsBytes(index);
      String digest = Sha256.of(bytes);
      Files.write(
          new OciLayout(layout, tag, digest, OciLayout.INDEX_MEDIA_TYPE).blob(digest), bytes);
      tag(layout, tag, digest, bytes.length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write an image index into " + layout, e);
    }
  }

  /** Points {@code tag} in the layout's top-level index.json at the new index blob. */
  private static void tag(Path layout, String tag, String digest, long size) throws IOException {
    Path file = layout.resolve("index.json");
    ObjectNode top = (ObjectNode) JSON.readTree(file.toFile());
    ArrayNode kept = JSON.createArrayNode();
    for (JsonNode entry : top.path("manifests")) {
      if (!tag.equals(entry.path("annotations").path(OciLayout.REF_NAME).asText())) {
        kept.add(entry);
      }
    }
    ObjectNode descriptor = kept.addObject();
    descriptor.put("mediaType", OciLayout.INDEX_MEDIA_TYPE);
    descriptor.put("digest", digest);
    descriptor.put("size", size);
    descriptor.putObject("annotations").put(OciLayout.REF_NAME, tag);
    top.set("manifests", kept);
    JSON.writeValue(file.toFile(), top);
  }
}
