package io.portcullis.core.cosign;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.PemBlock;
import io.portcullis.core.keys.Verifiers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Rekor bundle cosign stores in the {@code dev.sigstore.cosign/bundle} annotation (cosign
 * {@code pkg/cosign/bundle/rekor.go}): a log entry ({@code body}, {@code integratedTime}, {@code
 * logIndex}, {@code logID}) and its SignedEntryTimestamp, the log's signature over the canonical
 * JSON (<a href="https://www.rfc-editor.org/rfc/rfc8785">RFC 8785</a>, keys sorted, no spaces) of
 * those four fields. The SET is an offline promise of inclusion: verifying it needs only the log's
 * public key, whose SHA-256 over DER is the {@code logID}. {@link #signedPayload} is the one
 * definition of what a SET signs; Sigstore bundles' {@code SignedEntryTimestamp} uses it too (and
 * this package never imports {@code sigstore}, so the two packages do not form a cycle).
 */
public record RekorBundle(
    byte[] signedEntryTimestamp, String body, long integratedTime, long logIndex, String logId) {

  public RekorBundle {
    signedEntryTimestamp = signedEntryTimestamp.clone();
  }

  @Override
  public byte[] signedEntryTimestamp() {
    return signedEntryTimestamp.clone();
  }

  public static RekorBundle parse(String json) {
    JsonNode root;
    try {
      root = StrictJson.readTree(json);
      StrictJson.requireStructNames(root, root.get("Payload"));
    } catch (StrictJson.InvalidJsonException e) {
      throw new InvalidPayloadException("Rekor bundle is not valid JSON: " + e.getMessage());
    }
    JsonNode payload = root.get("Payload");
    if (payload == null
        || !root.path("SignedEntryTimestamp").isTextual()
        || !payload.path("body").isTextual()
        || !isLong(payload.path("integratedTime"))
        || !isLong(payload.path("logIndex"))
        || !payload.path("logID").isTextual()) {
      throw new InvalidPayloadException(
          "Rekor bundle lacks SignedEntryTimestamp or Payload{body,integratedTime,logIndex,logID}");
    }
    byte[] set;
    try {
      set = Base64.getDecoder().decode(root.get("SignedEntryTimestamp").asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidPayloadException("Rekor SignedEntryTimestamp is not valid base64");
    }
    return new RekorBundle(
        set,
        payload.get("body").asText(),
        payload.get("integratedTime").asLong(),
        payload.get("logIndex").asLong(),
        payload.get("logID").asText());
  }

  // an integer beyond long would be truncated by asLong and so sign for another entry
  private static boolean verifies(PublicKey logKey, byte[] payload, byte[] set) {
    try {
      return Verifiers.forPublicKey(logKey).verify(payload, set);
    } catch (KeyFormatException e) {
      return false;
    }
  }

  private static boolean isLong(JsonNode node) {
    return node.isIntegralNumber() && node.canConvertToLong();
  }

  public Instant integratedAt() {
    return Instant.ofEpochSecond(integratedTime);
  }

  /** The bytes the SET signs: canonical JSON of the four entry fields. */
  public byte[] canonicalPayload() {
    return signedPayload(body, integratedTime, logId, logIndex);
  }

  /**
   * The bytes a SET signs. The four members are a base64 string, two integers and a hex string, so
   * sorting the names and writing without spaces is all RFC 8785 asks of them.
   *
   * @param bodyBase64 the entry body in standard base64, as Rekor returns it
   * @param logIdHex the log id in lower-case hex
   */
  public static byte[] signedPayload(
      String bodyBase64, long integratedTime, String logIdHex, long logIndex) {
    TreeMap<String, Object> fields = new TreeMap<>();
    fields.put("body", bodyBase64);
    fields.put("integratedTime", integratedTime);
    fields.put("logID", logIdHex);
    fields.put("logIndex", logIndex);
    return StrictJson.write(fields);
  }

  /** Empty when the SET verifies under the trusted log key whose id is {@link #logId()}. */
  public Optional<String> verifySignedEntryTimestamp(Collection<PublicKey> logKeys) {
    for (PublicKey key : logKeys) {
      if (logId.equalsIgnoreCase(keyId(key))) {
        return verifies(key, canonicalPayload(), signedEntryTimestamp)
            ? Optional.empty()
            : Optional.of("Rekor SignedEntryTimestamp does not verify with log " + logId);
      }
    }
    return Optional.of("Rekor log " + logId + " is not a trusted transparency log");
  }

  /**
   * Empty when the logged entry is this signature: a {@code hashedrekord} whose hash is the
   * payload's SHA-256, whose signature is {@code signature}, and whose key or certificate is the
   * one that verified it. Without this a valid SET for some other entry would vouch for anything.
   */
  public Optional<String> matches(
      byte[] payload, byte[] signature, PublicKey key, X509Certificate certificate) {
    JsonNode entry;
    try {
      entry = StrictJson.readTree(Base64.getDecoder().decode(body));
      JsonNode spec = entry.path("spec");
      StrictJson.requireStructNames(
          entry,
          spec,
          spec.path("data"),
          spec.path("data").path("hash"),
          spec.path("signature"),
          spec.path("signature").path("publicKey"));
    } catch (IllegalArgumentException e) {
      // Bad base64, or JSON the strict reader refuses (say, a duplicate member): say which.
      return Optional.of("Rekor entry body is not base64 JSON: " + e.getMessage());
    }
    if (!"hashedrekord".equals(entry.path("kind").asText())) {
      return Optional.of(
          "Rekor entry kind '" + entry.path("kind").asText() + "' is not supported (hashedrekord)");
    }
    JsonNode spec = entry.path("spec");
    String hash = spec.path("data").path("hash").path("value").asText();
    if (!"sha256".equals(spec.path("data").path("hash").path("algorithm").asText())
        || !hash.equalsIgnoreCase(HexFormat.of().formatHex(sha256(payload)))) {
      return Optional.of("Rekor entry records a different payload hash");
    }
    byte[] logged;
    try {
      logged = Base64.getMimeDecoder().decode(spec.path("signature").path("content").asText());
    } catch (IllegalArgumentException e) {
      return Optional.of("Rekor entry signature is not base64");
    }
    if (!MessageDigest.isEqual(logged, signature)) {
      return Optional.of("Rekor entry records a different signature");
    }
    return matchesKey(
        spec.path("signature").path("publicKey").path("content").asText(), key, certificate);
  }

  private static Optional<String> matchesKey(
      String contentB64, PublicKey key, X509Certificate certificate) {
    List<PemBlock> blocks;
    try {
      blocks =
          PemBlock.readAll(
              new String(Base64.getDecoder().decode(contentB64), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return Optional.of("Rekor entry public key is not base64 PEM");
    }
    if (blocks.isEmpty()) {
      return Optional.of("Rekor entry carries no public key");
    }
    PemBlock block = blocks.get(0);
    byte[] expected;
    try {
      if (CertificatePem.LABEL.equals(block.label())) {
        if (certificate == null) {
          return Optional.of("Rekor entry was logged with a certificate, not with a trusted key");
        }
        expected = certificate.getEncoded();
      } else {
        expected = key.getEncoded();
      }
    } catch (CertificateEncodingException e) {
      return Optional.of("signing certificate cannot be encoded");
    }
    if (!Arrays.equals(expected, block.content())) {
      return Optional.of("Rekor entry was logged for a different key or certificate");
    }
    return Optional.empty();
  }

  static String keyId(PublicKey key) {
    return HexFormat.of().formatHex(sha256(key.getEncoded()));
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
