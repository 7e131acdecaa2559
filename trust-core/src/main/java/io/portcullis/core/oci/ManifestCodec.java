package io.portcullis.core.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.json.StrictJson;

/**
 * Reads and writes manifests and indexes. Reading never changes the bytes a digest is computed
 * over, and goes through {@link StrictJson}: a manifest two readers could read differently
 * (duplicate or case-variant member names, trailing content) is refused. Writing produces compact
 * JSON for content this project creates (signatures, indexes).
 */
public final class ManifestCodec {

  private ManifestCodec() {}

  /** The shared mapper for OCI JSON documents, configured as {@link StrictJson#mapper()}. */
  public static ObjectMapper mapper() {
    return StrictJson.mapper();
  }

  /** The {@code mediaType} field of a manifest document, or null when absent. */
  public static String mediaTypeOf(byte[] json) {
    JsonNode mt = readTree(json).get("mediaType");
    return mt == null || !mt.isTextual() ? null : mt.asText();
  }

  public static ImageManifest readManifest(byte[] json) {
    return read(json, ImageManifest.class);
  }

  public static ImageIndex readIndex(byte[] json) {
    return read(json, ImageIndex.class);
  }

  public static byte[] write(Object document) {
    return StrictJson.write(document);
  }

  private static JsonNode readTree(byte[] json) {
    JsonNode node;
    try {
      node = StrictJson.readTree(json);
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidManifestException("manifest is not valid JSON: " + e.getMessage());
    }
    if (!node.isObject()) {
      throw new InvalidManifestException("manifest is not a JSON object");
    }
    try {
      requireStructNames(node);
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidManifestException("manifest " + e.getMessage());
    }
    return node;
  }

  // The objects Go reads into structs: the document, its descriptors and their platforms (not
  // annotations, which are maps).
  private static void requireStructNames(JsonNode manifest) {
    StrictJson.requireStructNames(manifest);
    requireDescriptorNames(manifest.get("config"));
    requireDescriptorNames(manifest.get("subject"));
    for (String list : new String[] {"layers", "manifests"}) {
      JsonNode descriptors = manifest.get(list);
      if (descriptors != null && descriptors.isArray()) {
        descriptors.forEach(ManifestCodec::requireDescriptorNames);
      }
    }
  }

  private static void requireDescriptorNames(JsonNode descriptor) {
    if (descriptor != null) {
      StrictJson.requireStructNames(descriptor, descriptor.get("platform"));
    }
  }

  private static <T> T read(byte[] json, Class<T> type) {
    try {
      return StrictJson.bind(readTree(json), type);
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidManifestException("manifest " + e.getMessage());
    }
  }

  /** A manifest that is not valid JSON or does not fit the schema. */
  public static final class InvalidManifestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidManifestException(String message) {
      super(message);
    }
  }
}
