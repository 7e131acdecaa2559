package io.portcullis.core.notation;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.oci.ManifestCodec;

/**
 * The Notary Project signature <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#payload">payload</a>
 * {@code {"targetArtifact": <descriptor>}}; the descriptor must carry {@code mediaType}, {@code
 * digest} and {@code size}.
 */
public record NotationPayload(Descriptor targetArtifact) {
  public NotationPayload {
    if (targetArtifact == null
        || targetArtifact.mediaType() == null
        || targetArtifact.mediaType().isEmpty()
        || targetArtifact.digest() == null
        || targetArtifact.size() < 0) {
      throw new EnvelopeException("payload targetArtifact must have mediaType, digest and size");
    }
    try {
      Digest.parse(targetArtifact.digest());
    } catch (InvalidReferenceException e) {
      throw new EnvelopeException("payload targetArtifact: " + e.getMessage());
    }
  }

  /** Parses payload bytes; throws {@link EnvelopeException} when they do not fit. */
  public static NotationPayload parse(byte[] json) {
    try {
      JsonNode node = StrictJson.readTree(json);
      if (!node.isObject() || !node.path("targetArtifact").isObject()) {
        throw new EnvelopeException("payload must be a JSON object with a targetArtifact object");
      }
      JsonNode target = node.get("targetArtifact");
      StrictJson.requireStructNames(node, target);
      if (!target.path("size").isIntegralNumber()) {
        throw new EnvelopeException("payload targetArtifact must have mediaType, digest and size");
      }
      return new NotationPayload(StrictJson.bind(target, Descriptor.class));
    } catch (StrictJson.InvalidJsonException e) {
      throw new EnvelopeException("payload is not valid JSON: " + e.getMessage());
    }
  }

  /** The payload as compact JSON, as the signer embeds it. */
  public byte[] toJson() {
    return ManifestCodec.write(this);
  }

  /** The target digest. */
  public Digest targetDigest() {
    return Digest.parse(targetArtifact.digest());
  }
}
