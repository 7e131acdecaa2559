package io.portcullis.core.dsse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.SignatureVerifier;
import io.portcullis.core.keys.Signer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A DSSE envelope, per the <a
 * href="https://github.com/secure-systems-lab/dsse/blob/master/envelope.md">DSSE envelope spec</a>:
 * {@code {"payloadType","payload"(base64),"signatures":[{"keyid","sig"(base64)}]}}. Each signature
 * is over {@link Pae#encode} of the type and the decoded payload bytes.
 */
public record DsseEnvelope(String payloadType, byte[] payload, List<DsseSignature> signatures) {

  /** Media type of an envelope stored as an OCI layer (cosign {@code .att}). */
  public static final String MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

  /** Payload type of an in-toto statement. */
  public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

  public DsseEnvelope {
    payload = payload.clone();
    signatures = List.copyOf(signatures);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** A new envelope over {@code payload} with one signature. */
  public static DsseEnvelope sign(String payloadType, byte[] payload, Signer signer, String keyid) {
    return new DsseEnvelope(payloadType, payload, List.of()).addSignature(signer, keyid);
  }

  /** This envelope with one more signature appended. */
  public DsseEnvelope addSignature(Signer signer, String keyid) {
    List<DsseSignature> all = new ArrayList<>(signatures);
    all.add(new DsseSignature(keyid, signer.sign(Pae.encode(payloadType, payload))));
    return new DsseEnvelope(payloadType, payload, all);
  }

  /** The first signature that verifies under one of {@code verifiers}, if any. */
  public Optional<DsseSignature> verifiedSignature(List<SignatureVerifier> verifiers) {
    byte[] pae = Pae.encode(payloadType, payload);
    for (DsseSignature signature : signatures) {
      for (SignatureVerifier verifier : verifiers) {
        if (verifier.verify(pae, signature.sig())) {
          return Optional.of(signature);
        }
      }
    }
    return Optional.empty();
  }

  public static DsseEnvelope parse(byte[] json) {
    JsonNode root;
    try {
      root = StrictJson.readObject(json);
      StrictJson.requireStructNames(root);
      StrictJson.requireStructNamesOfElements(root.get("signatures"));
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidPayloadException("DSSE envelope is not valid JSON: " + e.getMessage());
    }
    if (!root.path("payloadType").isTextual()
        || !root.path("payload").isTextual()
        || !root.path("signatures").isArray()) {
      throw new InvalidPayloadException("DSSE envelope lacks payloadType, payload or signatures");
    }
    List<DsseSignature> signatures = new ArrayList<>();
    for (JsonNode signature : root.get("signatures")) {
      if (!signature.path("sig").isTextual()) {
        throw new InvalidPayloadException("DSSE signature lacks sig");
      }
      signatures.add(
          new DsseSignature(
              signature.path("keyid").asText(""), base64(signature.get("sig").asText(), "sig")));
    }
    return new DsseEnvelope(
        root.get("payloadType").asText(),
        base64(root.get("payload").asText(), "payload"),
        signatures);
  }

  public byte[] toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("payloadType", payloadType);
    root.put("payload", Base64.getEncoder().encodeToString(payload));
    ArrayNode array = root.putArray("signatures");
    for (DsseSignature signature : signatures) {
      array
          .addObject()
          .put("keyid", signature.keyid())
          .put("sig", Base64.getEncoder().encodeToString(signature.sig()));
    }
    return StrictJson.write(root);
  }

  // the envelope spec lets producers use either base64 alphabet
  private static byte[] base64(String value, String field) {
    try {
      return value.indexOf('-') >= 0 || value.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(value)
          : Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidPayloadException("DSSE " + field + " is not valid base64");
    }
  }
}
