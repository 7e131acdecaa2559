package io.portcullis.core.cosign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sigstore signature in containers/image's on-disk form ({@code signature-N} files of a {@code
 * dir:} image, see containers/image {@code internal/signature/sigstore.go}): the bytes {@code
 * \x00sigstore-json\n} followed by JSON {@code {"mimeType","payload"(base64),"annotations"}}. It
 * carries the same thing as one layer of a {@code .sig} manifest, which {@link #toLayer()} makes.
 */
public record SigstoreJsonSignature(
    String mimeType, byte[] payload, Map<String, String> annotations) {

  private static final byte[] PREFIX = "\0sigstore-json\n".getBytes(StandardCharsets.US_ASCII);

  public SigstoreJsonSignature {
    payload = payload.clone();
    annotations = Map.copyOf(annotations);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  public static SigstoreJsonSignature parse(byte[] file) {
    if (file.length < PREFIX.length || !Arrays.equals(Arrays.copyOf(file, PREFIX.length), PREFIX)) {
      throw new InvalidPayloadException("not a sigstore-json signature: missing format prefix");
    }
    JsonNode root;
    try {
      root = StrictJson.readTree(Arrays.copyOfRange(file, PREFIX.length, file.length));
      StrictJson.requireStructNames(root);
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidPayloadException(
          "sigstore-json signature body is not valid JSON: " + e.getMessage());
    }
    if (!root.path("mimeType").isTextual() || !root.path("payload").isTextual()) {
      throw new InvalidPayloadException("sigstore-json signature lacks mimeType or payload");
    }
    byte[] payload;
    try {
      payload = Base64.getDecoder().decode(root.get("payload").asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidPayloadException("sigstore-json payload is not valid base64");
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    root.path("annotations")
        .properties()
        .forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
    return new SigstoreJsonSignature(root.get("mimeType").asText(), payload, annotations);
  }

  /** The registry layer this file stands for. */
  public AttachmentLayer toLayer() {
    return AttachmentLayer.create(mimeType, payload, annotations);
  }

  /**
   * The file a registry layer is stored as by {@code skopeo copy ... dir:}; see {@link #toLayer}.
   */
  public static SigstoreJsonSignature fromLayer(AttachmentLayer layer) {
    return new SigstoreJsonSignature(
        layer.mediaType(), layer.content(), layer.descriptor().annotations());
  }

  /**
   * The on-disk form {@link #parse} reads; annotations in name order, so equal values write equal.
   */
  public byte[] toBytes() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("mimeType", mimeType);
    root.put("payload", Base64.getEncoder().encodeToString(payload));
    ObjectNode annotationsNode = root.putObject("annotations");
    new TreeMap<>(annotations).forEach(annotationsNode::put);
    byte[] body = StrictJson.write(root);
    byte[] file = Arrays.copyOf(PREFIX, PREFIX.length + body.length);
    System.arraycopy(body, 0, file, PREFIX.length, body.length);
    return file;
  }
}
