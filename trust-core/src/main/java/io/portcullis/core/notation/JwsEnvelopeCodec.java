package io.portcullis.core.notation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.CertificateReader;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md">JWS
 * signature envelope</a>: JSON flattened serialization with {@code payload}, {@code protected},
 * {@code header} ({@code x5c}, {@code io.cncf.notary.signingAgent}, {@code
 * io.cncf.notary.timestampSignature}) and {@code signature}.
 *
 * <p>The signing input is the received {@code protected} string, {@code "."}, and the received
 * {@code payload} string, exactly as they arrived: re-encoding either would verify a different
 * message from the one that was signed. Nimbus JOSE is not used for this reason and because its
 * critical-header and PSS handling would sit between us and the Notary rules.
 */
final class JwsEnvelopeCodec {
  private static final Set<String> TOP_LEVEL =
      Set.of("payload", "protected", "header", "signature");
  private static final String X5C = "x5c";
  private static final String SIGNING_AGENT = "io.cncf.notary.signingAgent";
  private static final String TIMESTAMP = "io.cncf.notary.timestampSignature";

  private JwsEnvelopeCodec() {}

  static NotationEnvelope parse(byte[] bytes) {
    JsonNode root = readObject(bytes, "JWS envelope");
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!TOP_LEVEL.contains(field)) {
        throw new EnvelopeException(
            "JWS envelope has unexpected member '" + field + "': only flattened JSON is supported");
      }
    }
    String payloadB64 = text(root, "payload", "JWS envelope");
    String protectedB64 = text(root, "protected", "JWS envelope");
    String signatureB64 = text(root, "signature", "JWS envelope");
    byte[] payload = base64Url(payloadB64, "payload");
    byte[] signature = base64Url(signatureB64, "signature");
    SignedAttributes attributes = protectedHeader(base64Url(protectedB64, "protected header"));

    JsonNode header = root.get("header");
    if (header == null || !header.isObject()) {
      throw new EnvelopeException("JWS envelope lacks the unprotected header");
    }
    List<X509Certificate> chain = new ArrayList<>();
    JsonNode x5c = header.get(X5C);
    if (x5c == null || !x5c.isArray() || x5c.isEmpty()) {
      throw new EnvelopeException("JWS header x5c must be a non-empty array of certificates");
    }
    for (JsonNode cert : x5c) {
      if (!cert.isTextual()) {
        throw new EnvelopeException("JWS header x5c must hold base64 certificate strings");
      }
      byte[] der = base64Std(cert.asText(), "x5c certificate");
      try {
        chain.add(CertificateReader.readDer(der, "x5c[" + chain.size() + "]"));
      } catch (CertificateChainException e) {
        throw new EnvelopeException(e.getMessage());
      }
    }
    byte[] timestamp = null;
    String signingAgent = null;
    for (Map.Entry<String, JsonNode> e : header.properties()) {
      // Notation once wrote "io.cncf.notary.SigningAgent"; Go's JSON decoding ignores case here.
      String key = e.getKey().toLowerCase(Locale.ROOT);
      if (key.equals(TIMESTAMP.toLowerCase(Locale.ROOT)) && e.getValue().isTextual()) {
        timestamp = base64Std(e.getValue().asText(), "timestamp signature");
      } else if (key.equals(SIGNING_AGENT.toLowerCase(Locale.ROOT)) && e.getValue().isTextual()) {
        signingAgent = e.getValue().asText();
      }
    }
    byte[] signingInput = (protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII);
    return new NotationEnvelope(
        EnvelopeFormat.JWS,
        attributes,
        payload,
        chain,
        signature,
        signingInput,
        timestamp,
        signingAgent);
  }

  private static SignedAttributes protectedHeader(byte[] json) {
    JsonNode node = readObject(json, "JWS protected header");
    String alg = text(node, "alg", "JWS protected header");
    SignatureAlgorithm algorithm =
        SignatureAlgorithm.fromJwsName(alg)
            .orElseThrow(
                () ->
                    new EnvelopeException(
                        "unsupported JWS alg '"
                            + alg
                            + "': use PS256, PS384, PS512, ES256, ES384 or ES512"));
    List<String> critical = new ArrayList<>();
    JsonNode crit = node.get("crit");
    if (crit == null || !crit.isArray() || crit.isEmpty()) {
      throw new EnvelopeException("JWS protected header must list crit headers");
    }
    for (JsonNode c : crit) {
      if (!c.isTextual() || !node.has(c.asText())) {
        throw new EnvelopeException("JWS crit entry " + c + " names no header present");
      }
      critical.add(c.asText());
    }
    String scheme = text(node, SignedAttributes.SIGNING_SCHEME, "JWS protected header");
    return new SignedAttributes(
        algorithm,
        text(node, "cty", "JWS protected header"),
        SigningScheme.fromValue(scheme)
            .orElseThrow(
                () -> new EnvelopeException("unsupported signing scheme '" + scheme + "'")),
        time(node, SignedAttributes.SIGNING_TIME),
        time(node, SignedAttributes.AUTHENTIC_SIGNING_TIME),
        time(node, SignedAttributes.EXPIRY),
        critical,
        optionalText(node, SignedAttributes.VERIFICATION_PLUGIN),
        optionalText(node, SignedAttributes.VERIFICATION_PLUGIN_MIN_VERSION));
  }

  /** The protected header JSON for a new signature, members in a fixed order. */
  static byte[] protectedHeader(SignatureAlgorithm algorithm, Instant signingTime, Instant expiry) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("alg", algorithm.jwsName());
    ArrayNode crit = node.putArray("crit");
    crit.add(SignedAttributes.SIGNING_SCHEME);
    if (expiry != null) {
      crit.add(SignedAttributes.EXPIRY);
    }
    node.put("cty", SignedAttributes.PAYLOAD_CONTENT_TYPE);
    if (expiry != null) {
      node.put(SignedAttributes.EXPIRY, expiry.toString());
    }
    node.put(SignedAttributes.SIGNING_SCHEME, SigningScheme.X509.value());
    node.put(SignedAttributes.SIGNING_TIME, signingTime.toString());
    return write(node);
  }

  /** The complete envelope JSON. */
  static byte[] envelope(
      String protectedB64,
      String payloadB64,
      byte[] signature,
      List<X509Certificate> chain,
      String signingAgent) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("payload", payloadB64);
    node.put("protected", protectedB64);
    ObjectNode header = node.putObject("header");
    ArrayNode x5c = header.putArray(X5C);
    for (X509Certificate cert : chain) {
      try {
        x5c.add(Base64.getEncoder().encodeToString(cert.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException(
            "cannot encode certificate " + cert.getSubjectX500Principal());
      }
    }
    header.put(SIGNING_AGENT, signingAgent);
    node.put("signature", base64Url(signature));
    return write(node);
  }

  static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] write(JsonNode node) {
    return StrictJson.write(node);
  }

  private static JsonNode readObject(byte[] bytes, String what) {
    JsonNode node;
    try {
      node = StrictJson.readTree(bytes);
    } catch (StrictJson.InvalidJsonException e) {
      throw new EnvelopeException(what + " is not valid JSON: " + e.getMessage());
    }
    if (!node.isObject()) {
      throw new EnvelopeException(what + " is not a JSON object");
    }
    try {
      StrictJson.requireStructNames(node, node.get("header"));
    } catch (StrictJson.InvalidJsonException e) {
      throw new EnvelopeException(what + ": " + e.getMessage());
    }
    return node;
  }

  private static String text(JsonNode node, String field, String what) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new EnvelopeException(what + " lacks string member '" + field + "'");
    }
    return value.asText();
  }

  private static String optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw new EnvelopeException("header " + field + " must be a string");
    }
    return value.asText();
  }

  private static Instant time(JsonNode node, String field) {
    String value = optionalText(node, field);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new EnvelopeException("header " + field + " is not an RFC 3339 time: '" + value + "'");
    }
  }

  private static byte[] base64Url(String value, String what) {
    if (value.indexOf('=') >= 0) {
      throw new EnvelopeException("JWS " + what + " must be unpadded base64url");
    }
    try {
      return Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new EnvelopeException("JWS " + what + " is not valid base64url");
    }
  }

  private static byte[] base64Std(String value, String what) {
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new EnvelopeException("JWS " + what + " is not valid base64");
    }
  }
}
