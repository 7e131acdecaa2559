package io.portcullis.core.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.json.StrictJson;
import java.util.Set;

/**
 * Reads and writes manifests and indexes. Reading never changes the bytes a digest is computed
 * over, and goes through {@link StrictJson}: a manifest two readers could read differently
 * (duplicate or case-variant member names, trailing content, an image manifest that is also an
 * index) is refused. Writing produces compact JSON for content this project creates (signatures,
 * indexes).
 */
public final class ManifestCodec {
  // A document that is both (GHSA-77vh-xpmg-72qh): the gateway would judge it as one kind while a
  // client pulls it as the other. containerd and distribution refuse the same documents.
  private static final String AMBIGUOUS = "manifest is ambiguous: ";
  private static final Set<String> IMAGE_MANIFEST_TYPES =
      Set.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);

  private ManifestCodec() {}

  /** The shared mapper for OCI JSON documents, configured as {@link StrictJson#mapper()}. */
  public static ObjectMapper mapper() {
    return StrictJson.mapper();
  }

  /** The {@code mediaType} field of a manifest document, or null when absent. */
  public static String mediaTypeOf(byte[] json) {
    return mediaType(readTree(json));
  }

  /**
   * Reads an image manifest; refuses a document that another reader would take for an index (it
   * lists {@code manifests}, or its {@code mediaType} is an index type).
   */
  public static ImageManifest readManifest(byte[] json) {
    JsonNode node = readTree(json);
    if (listsAny(node, "manifests") || MediaTypes.isIndex(mediaType(node))) {
      throw new InvalidManifestException(
          AMBIGUOUS + "an image manifest must not list manifests or name an index mediaType");
    }
    return bind(node, ImageManifest.class);
  }

  /**
   * Reads an index; refuses a document that another reader would take for an image manifest (it has
   * a {@code config} or {@code layers}, or its {@code mediaType} is an image manifest type).
   */
  public static ImageIndex readIndex(byte[] json) {
    JsonNode node = readTree(json);
    JsonNode config = node.get("config");
    if ((config != null && !config.isNull())
        || listsAny(node, "layers")
        || isImageManifestType(mediaType(node))) {
      throw new InvalidManifestException(
          AMBIGUOUS + "an index must not have config or layers or name an image mediaType");
    }
    return bind(node, ImageIndex.class);
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

  private static <T> T bind(JsonNode node, Class<T> type) {
    try {
      return StrictJson.bind(node, type);
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidManifestException("manifest " + e.getMessage());
    }
  }

  private static boolean listsAny(JsonNode node, String field) {
    JsonNode list = node.get(field);
    return list != null && list.isArray() && !list.isEmpty();
  }

  // Set.of(..).contains(null) throws
  private static boolean isImageManifestType(String mediaType) {
    return mediaType != null && IMAGE_MANIFEST_TYPES.contains(mediaType);
  }

  private static String mediaType(JsonNode node) {
    JsonNode mt = node.get("mediaType");
    return mt == null || !mt.isTextual() ? null : mt.asText();
  }

  /** A manifest that is not valid JSON or does not fit the schema. */
  public static final class InvalidManifestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidManifestException(String message) {
      super(message);
    }
  }
}
