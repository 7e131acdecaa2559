package io.portcullis.core.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Reads and writes manifests and indexes. Reading never changes the bytes a digest is computed
 * over; writing produces compact JSON for content this project creates (signatures, indexes).
 */
public final class ManifestCodec {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ManifestCodec() {}

  /** The shared mapper for OCI JSON documents. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** The {@code mediaType} field of a manifest document, or null when absent. */
  public static String mediaTypeOf(byte[] json) {
    JsonNode node = readTree(json);
    JsonNode mt = node.get("mediaType");
    return mt == null || !mt.isTextual() ? null : mt.asText();
  }

  public static ImageManifest readManifest(byte[] json) {
    return read(json, ImageManifest.class);
  }

  public static ImageIndex readIndex(byte[] json) {
    return read(json, ImageIndex.class);
  }

  public static byte[] write(Object document) {
    try {
      return MAPPER.writeValueAsBytes(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + document.getClass().getSimpleName(), e);
    }
  }

  private static JsonNode readTree(byte[] json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || !node.isObject()) {
        throw new InvalidManifestException("manifest is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new InvalidManifestException("manifest is not valid JSON: " + originalMessage(e));
    }
  }

  private static <T> T read(byte[] json, Class<T> type) {
    readTree(json);
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new InvalidManifestException(
          "manifest does not match the " + type.getSimpleName() + " schema: " + e.getMessage());
    }
  }

  private static String originalMessage(IOException e) {
    return e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
  }

  /** A manifest that is not valid JSON or does not fit the schema. */
  public static final class InvalidManifestException extends IllegalArgumentException {
    public InvalidManifestException(String message) {
      super(message);
    }
  }
}
