package io.portcullis.testkit.sigstore;

import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rekor v1 entry bodies as the log stores them (canonicalized, RFC 8785): <a
 * href="https://github.com/sigstore/rekor/tree/main/pkg/types/hashedrekord/v0.0.1">hashedrekord
 * 0.0.1</a> and <a href="https://github.com/sigstore/rekor/tree/main/pkg/types/dsse/v0.0.1">dsse
 * 0.0.1</a>. The verifier material is the PEM of the certificate or public key, base64-encoded.
 */
public final class RekorBodies {
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final HexFormat HEX = HexFormat.of();

  private RekorBodies() {}

  /** The Rekor {@code hashedrekord} 0.0.1 body, canonicalized. */
  public static byte[] hashedRekord(byte[] sha256, byte[] signature, byte[] verifierPem) {
    Map<String, Object> spec =
        Map.of(
            "data",
            Map.of("hash", Map.of("algorithm", "sha256", "value", HEX.formatHex(sha256))),
            "signature",
            Map.of(
                "content",
                B64.encodeToString(signature),
                "publicKey",
                Map.of("content", B64.encodeToString(verifierPem))));
    return CanonicalJson.write(Map.of("apiVersion", "0.0.1", "kind", "hashedrekord", "spec", spec));
  }

  /** The Rekor {@code dsse} 0.0.1 body, canonicalized. */
  public static byte[] dsse(
      byte[] envelopeJson, byte[] payload, byte[] signature, byte[] verifierPem) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put(
        "envelopeHash",
        Map.of("algorithm", "sha256", "value", HEX.formatHex(MerkleTree.sha256(envelopeJson))));
    spec.put(
        "payloadHash",
        Map.of("algorithm", "sha256", "value", HEX.formatHex(MerkleTree.sha256(payload))));
    spec.put(
        "signatures",
        List.of(
            Map.of(
                "signature",
                B64.encodeToString(signature),
                "verifier",
                B64.encodeToString(verifierPem))));
    return CanonicalJson.write(Map.of("apiVersion", "0.0.1", "kind", "dsse", "spec", spec));
  }
}
