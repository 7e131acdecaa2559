package io.portcullis.core.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.DsseSignature;
import io.portcullis.core.dsse.Pae;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.PemBlock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks that a Rekor entry body records a bundle's signature. The body is what the log vouches
 * for; without this check a valid SET or proof of some other entry would vouch for anything. Bodies
 * read: Rekor v1 <a
 * href="https://github.com/sigstore/rekor/tree/main/pkg/types/hashedrekord/v0.0.1">{@code
 * hashedrekord} 0.0.1</a>, {@code dsse} 0.0.1, {@code intoto} 0.0.2; Rekor v2 {@code hashedrekord}
 * 0.0.2 (the protobuf entry's JSON), for a message signature and, over the envelope's PAE, for a
 * DSSE envelope, as sigstore-java logs one.
 */
final class RekorEntryBodies {
  private RekorEntryBodies() {}

  /** The verification material the body must name: a certificate or a key, as DER. */
  private record Material(boolean certificate, byte[] der) {}

  static void requireMatches(
      TlogEntry entry, SigstoreBundle bundle, byte[] artifactSha256, PublicKey key)
      throws SigstoreVerificationException {
    JsonNode body;
    try {
      body = StrictJson.readObject(entry.canonicalizedBody());
    } catch (StrictJson.InvalidJsonException e) {
      throw fail("is not JSON: " + e.getMessage());
    }
    String kind = text(body, "kind");
    String version = text(body, "apiVersion");
    // kindVersion sits outside the body, so no signature covers it: the body's own word counts
    if (!kind.equals(entry.kind()) || !version.equals(entry.version())) {
      throw fail(
          "is "
              + kind
              + " "
              + version
              + " but the bundle says "
              + entry.kind()
              + " "
              + entry.version());
    }
    Material material = material(bundle, key);
    JsonNode spec = object(body, "spec");
    String kv = kind + ":" + version;
    if (bundle.messageSignature().isPresent()) {
      MessageSignature ms = bundle.messageSignature().get();
      switch (kv) {
        case "hashedrekord:0.0.1" -> hashedRekordV1(spec, artifactSha256, ms, material);
        case "hashedrekord:0.0.2" -> hashedRekordV2(spec, artifactSha256, ms.signature(), material);
        default -> throw fail("kind " + kv + " does not record a message signature");
      }
      return;
    }
    DsseEnvelope envelope = bundle.dsseEnvelope().orElseThrow();
    switch (kv) {
      case "dsse:0.0.1" -> dsseV1(spec, envelope, material);
      case "intoto:0.0.2" -> intotoV2(spec, envelope, material);
      case "hashedrekord:0.0.2" -> {
        // Rekor v2 logs a DSSE bundle as a hashedrekord over the envelope's PAE
        if (envelope.signatures().size() != 1) {
          throw fail("records one signature but the envelope has " + envelope.signatures().size());
        }
        byte[] pae = Pae.encode(envelope.payloadType(), envelope.payload());
        hashedRekordV2(
            spec, MerkleProofs.sha256().digest(pae), envelope.signatures().get(0).sig(), material);
      }
      case "dsse:0.0.2" ->
          throw fail(
              "kind dsse:0.0.2 is not supported: a DSSE bundle in a Rekor v2 log must be logged"
                  + " as hashedrekord:0.0.2 over the envelope");
      default -> throw fail("kind " + kv + " does not record a DSSE envelope");
    }
  }

  private static void hashedRekordV1(JsonNode spec, byte[] sha256, MessageSignature ms, Material m)
      throws SigstoreVerificationException {
    JsonNode hash = object(object(spec, "data"), "hash");
    String algorithm = text(hash, "algorithm");
    if (!text(hash, "value")
        .equalsIgnoreCase(HexFormat.of().formatHex(digest(algorithm, sha256, ms)))) {
      throw fail("records a different artifact digest");
    }
    JsonNode signature = object(spec, "signature");
    requireEqual(base64(signature, "content"), ms.signature(), "signature");
    requirePem(text(object(signature, "publicKey"), "content"), m);
  }

  /**
   * The artifact digest a v1 entry must record: the SHA-256, or, for a P-384 or P-521 signature
   * logged with SHA-384 or SHA-512, the digest the bundle states under that algorithm, which the
   * bundle verifier has already checked against the artifact.
   */
  private static byte[] digest(String algorithm, byte[] sha256, MessageSignature ms)
      throws SigstoreVerificationException {
    if ("sha256".equals(algorithm)) {
      return sha256;
    }
    String stated =
        switch (algorithm) {
          case "sha384" -> "SHA2_384";
          case "sha512" -> "SHA2_512";
          default -> throw fail("records an unsupported hash algorithm " + algorithm);
        };
    if (ms.digest().isEmpty() || !ms.digestAlgorithm().orElse("").equals(stated)) {
      throw fail("records a " + algorithm + " digest but the bundle states none");
    }
    return ms.digest().get();
  }

  private static void hashedRekordV2(JsonNode spec, byte[] sha256, byte[] sig, Material m)
      throws SigstoreVerificationException {
    JsonNode v2 = object(spec, "hashedRekordV002");
    JsonNode data = object(v2, "data");
    if (!"SHA2_256".equals(text(data, "algorithm"))
        || !MessageDigest.isEqual(base64(data, "digest"), sha256)) {
      throw fail("records a different artifact digest");
    }
    JsonNode signature = object(v2, "signature");
    requireEqual(base64(signature, "content"), sig, "signature");
    requireVerifierV2(object(signature, "verifier"), m);
  }

  private static void dsseV1(JsonNode spec, DsseEnvelope envelope, Material m)
      throws SigstoreVerificationException {
    requirePayloadHash(object(spec, "payloadHash"), envelope);
    // envelopeHash is left alone: Rekor hashed the envelope as it was uploaded, which a verifier
    // cannot rebuild byte for byte; the payload hash and the signatures bind the same content.
    List<Logged> logged = new ArrayList<>();
    for (JsonNode s : array(spec, "signatures")) {
      logged.add(new Logged(base64(s, "signature"), decodePem(text(s, "verifier"))));
    }
    requireSignatures(logged, envelope, m);
  }

  private static void intotoV2(JsonNode spec, DsseEnvelope envelope, Material m)
      throws SigstoreVerificationException {
    JsonNode content = object(spec, "content");
    requirePayloadHash(object(content, "payloadHash"), envelope);
    JsonNode logged = object(content, "envelope");
    if (!envelope.payloadType().equals(text(logged, "payloadType"))) {
      throw fail("records a different payload type");
    }
    List<Logged> signatures = new ArrayList<>();
    for (JsonNode s : array(logged, "signatures")) {
      // intoto 0.0.2 base64-encodes the envelope's base64 signature text once more
      byte[] sig = decode(new String(base64(s, "sig"), StandardCharsets.US_ASCII), "sig");
      signatures.add(new Logged(sig, decodePem(text(s, "publicKey"))));
    }
    requireSignatures(signatures, envelope, m);
  }

  private record Logged(byte[] sig, PemBlock verifier) {}

  // Every envelope signature must be logged, by the bundle's own material, and nothing more
  private static void requireSignatures(List<Logged> logged, DsseEnvelope envelope, Material m)
      throws SigstoreVerificationException {
    if (logged.size() != envelope.signatures().size()) {
      throw fail(
          "records "
              + logged.size()
              + " signatures but the envelope has "
              + envelope.signatures().size());
    }
    for (DsseSignature s : envelope.signatures()) {
      boolean found = false;
      for (Logged l : logged) {
        if (MessageDigest.isEqual(l.sig(), s.sig())) {
          requireBlock(l.verifier(), m);
          found = true;
        }
      }
      if (!found) {
        throw fail("records a different signature");
      }
    }
  }

  private static void requirePayloadHash(JsonNode hash, DsseEnvelope envelope)
      throws SigstoreVerificationException {
    byte[] expected = MerkleProofs.sha256().digest(envelope.payload());
    if (!"sha256".equals(text(hash, "algorithm"))
        || !text(hash, "value").equalsIgnoreCase(HexFormat.of().formatHex(expected))) {
      throw fail("records a different payload hash");
    }
  }

  private static void requireVerifierV2(JsonNode verifier, Material m)
      throws SigstoreVerificationException {
    JsonNode cert = verifier.get("x509Certificate");
    JsonNode key = verifier.get("publicKey");
    if (cert != null && cert.isObject()) {
      if (!m.certificate()) {
        throw fail("was logged with a certificate, not with the bundle's key");
      }
      requireEqual(base64(cert, "rawBytes"), m.der(), "certificate");
    } else if (key != null && key.isObject()) {
      if (m.certificate()) {
        throw fail("was logged with a public key, not with the bundle's certificate");
      }
      requireEqual(base64(key, "rawBytes"), m.der(), "public key");
    } else {
      throw fail("names no verifier (x509Certificate or publicKey)");
    }
  }

  private static void requirePem(String base64Pem, Material m)
      throws SigstoreVerificationException {
    requireBlock(decodePem(base64Pem), m);
  }

  private static PemBlock decodePem(String base64Pem) throws SigstoreVerificationException {
    List<PemBlock> blocks;
    try {
      blocks = PemBlock.readAll(new String(decode(base64Pem, "verifier"), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw fail("verifier is not PEM");
    }
    if (blocks.isEmpty()) {
      throw fail("names no verifier");
    }
    return blocks.get(0);
  }

  private static void requireBlock(PemBlock block, Material m)
      throws SigstoreVerificationException {
    boolean isCertificate = CertificatePem.LABEL.equals(block.label());
    if (isCertificate != m.certificate()) {
      throw fail(
          isCertificate
              ? "was logged with a certificate, not with the bundle's key"
              : "was logged with a public key, not with the bundle's certificate");
    }
    requireEqual(block.content(), m.der(), isCertificate ? "certificate" : "public key");
  }

  private static Material material(SigstoreBundle bundle, PublicKey key)
      throws SigstoreVerificationException {
    if (!bundle.keyBased()) {
      try {
        return new Material(true, bundle.certificates().get(0).getEncoded());
      } catch (CertificateEncodingException e) {
        throw fail("cannot be compared: the signing certificate cannot be encoded");
      }
    }
    if (key == null || key.getEncoded() == null) {
      throw fail("cannot be compared: a key-based bundle needs its verifying key");
    }
    return new Material(false, key.getEncoded());
  }

  private static void requireEqual(byte[] logged, byte[] expected, String what)
      throws SigstoreVerificationException {
    if (!MessageDigest.isEqual(logged, expected)) {
      throw fail("records a different " + what);
    }
  }

  private static JsonNode object(JsonNode parent, String field)
      throws SigstoreVerificationException {
    JsonNode n = parent.get(field);
    if (n == null || !n.isObject()) {
      throw fail("lacks the object " + field);
    }
    return n;
  }

  private static Iterable<JsonNode> array(JsonNode parent, String field)
      throws SigstoreVerificationException {
    JsonNode n = parent.get(field);
    if (n == null || !n.isArray()) {
      throw fail("lacks the array " + field);
    }
    for (JsonNode e : n) {
      if (!e.isObject()) {
        throw fail(field + " holds a non-object");
      }
    }
    return n;
  }

  private static String text(JsonNode parent, String field) throws SigstoreVerificationException {
    JsonNode n = parent.get(field);
    if (n == null || !n.isTextual()) {
      throw fail("lacks the string " + field);
    }
    return n.asText();
  }

  private static byte[] base64(JsonNode parent, String field) throws SigstoreVerificationException {
    return decode(text(parent, field), field);
  }

  private static byte[] decode(String s, String field) throws SigstoreVerificationException {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw fail(field + " is not base64");
    }
  }

  private static SigstoreVerificationException fail(String why) {
    return new SigstoreVerificationException("transparency log entry body " + why);
  }
}
