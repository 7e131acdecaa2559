package io.portcullis.core.cosign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import java.util.Map;

/**
 * The cosign "simple signing" payload, per the <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md#payload">cosign
 * signature spec, payload</a> (after the containers/image "simple signing" format):
 *
 * <pre>{"critical":{"identity":{"docker-reference":..},"image":{"docker-manifest-digest":..},
 * "type":"cosign container image signature"},"optional":{..}|null}</pre>
 *
 * <p>Signatures cover {@link #raw()}, the exact bytes as stored; the parsed fields are read from
 * those bytes and never re-serialised for verification.
 */
public record SimpleSigningPayload(
    String dockerReference, Digest manifestDigest, String type, JsonNode optional, byte[] raw) {

  /** The only {@code critical.type} cosign signs or accepts. */
  public static final String COSIGN_TYPE = "cosign container image signature";

  /** Media type of the layer holding the payload. */
  public static final String MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";

  public SimpleSigningPayload {
    raw = raw.clone();
    optional = optional == null ? NullNode.getInstance() : optional.deepCopy();
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public JsonNode optional() {
    return optional.deepCopy();
  }

  /**
   * A payload as {@code cosign sign} writes it: {@code optional} is null without annotations, and
   * otherwise carries them as strings.
   */
  public static SimpleSigningPayload create(
      String dockerReference, Digest manifestDigest, Map<String, String> annotations) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ObjectNode critical = root.putObject("critical");
    critical.putObject("identity").put("docker-reference", dockerReference);
    critical.putObject("image").put("docker-manifest-digest", manifestDigest.toString());
    critical.put("type", COSIGN_TYPE);
    if (annotations == null || annotations.isEmpty()) {
      root.putNull("optional");
    } else {
      ObjectNode optional = root.putObject("optional");
      annotations.forEach(optional::put);
    }
    return parse(StrictJson.write(root));
  }

  /** Parses {@code raw}; throws {@link InvalidPayloadException} naming the missing field. */
  public static SimpleSigningPayload parse(byte[] raw) {
    JsonNode root;
    try {
      root = StrictJson.readTree(raw);
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidPayloadException(
          "simple signing payload is not valid JSON: " + e.getMessage());
    }
    if (!root.isObject()) {
      throw new InvalidPayloadException("simple signing payload is not a JSON object");
    }
    JsonNode critical = root.path("critical");
    try {
      StrictJson.requireStructNames(
          root, critical, critical.get("identity"), critical.get("image"));
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidPayloadException("simple signing payload: " + e.getMessage());
    }
    String reference = text(critical.path("identity").path("docker-reference"), "identity");
    String digest = text(critical.path("image").path("docker-manifest-digest"), "image digest");
    String type = text(critical.path("type"), "type");
    try {
      return new SimpleSigningPayload(
          reference, Digest.parse(digest), type, root.get("optional"), raw);
    } catch (InvalidReferenceException e) {
      throw new InvalidPayloadException(
          "simple signing payload critical.image.docker-manifest-digest: " + e.getMessage());
    }
  }

  private static String text(JsonNode node, String what) {
    if (!node.isTextual()) {
      throw new InvalidPayloadException("simple signing payload lacks critical " + what);
    }
    return node.asText();
  }
}
