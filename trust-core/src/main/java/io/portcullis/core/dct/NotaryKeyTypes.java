package io.portcullis.core.dct;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.SignatureAlgorithm;
import io.portcullis.core.keys.SignatureVerifier;
import io.portcullis.core.keys.Verifiers;
import io.portcullis.core.tuf.TufKeyTypes;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The key types Notary v1 writes ({@code tuf/data/keys.go}), each with {@code keyval.public} in
 * base64: {@code ecdsa} and {@code rsa} (a DER SubjectPublicKeyInfo), {@code ecdsa-x509} and {@code
 * rsa-x509} (a PEM certificate, leaf first, whose public key signs), {@code ed25519} (the raw 32
 * bytes). Notary has no {@code scheme}: ECDSA is P-256 with SHA-256 (its verifier hashes with
 * SHA-256 whatever the curve, so other curves are refused here), RSA is PSS with SHA-256.
 */
public final class NotaryKeyTypes implements TufKeyTypes {
  public static final NotaryKeyTypes INSTANCE = new NotaryKeyTypes();

  private static final byte[] ED25519_SPKI_PREFIX =
      HexFormat.of().parseHex("302a300506032b6570032100");

  private NotaryKeyTypes() {}

  @Override
  public SignatureVerifier verifier(String keytype, String scheme, JsonNode keyval) {
    byte[] material = material(keyval);
    return switch (keytype) {
      case "ecdsa" -> ecdsa(PublicKeyPem.fromDer(material));
      case "ecdsa-x509" -> ecdsa(leaf(material).getPublicKey());
      case "rsa" -> rsa(PublicKeyPem.fromDer(material));
      case "rsa-x509" -> rsa(leaf(material).getPublicKey());
      case "ed25519" -> {
        if (material.length != 32) {
          throw new KeyFormatException("ed25519 key of " + material.length + " bytes");
        }
        byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(material, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        yield Verifiers.forPublicKey(PublicKeyPem.fromDer(spki), SignatureAlgorithm.ED25519);
      }
      default ->
          throw new KeyFormatException(
              "unsupported Notary key type "
                  + keytype
                  + "; supported: ecdsa, ecdsa-x509, rsa, rsa-x509, ed25519");
    };
  }

  /** The leaf certificate of an {@code ecdsa-x509} or {@code rsa-x509} key, else empty. */
  public static Optional<X509Certificate> certificate(JsonNode key) {
    String type = key.path("keytype").asText();
    if (!type.equals("ecdsa-x509") && !type.equals("rsa-x509")) {
      return Optional.empty();
    }
    try {
      return Optional.of(leaf(material(key.get("keyval"))));
    } catch (KeyFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The public key of a Notary key object, whatever its type, or empty when it has none this class
   * reads.
   */
  public static Optional<PublicKey> publicKey(JsonNode key) {
    try {
      return Optional.of(
          INSTANCE.verifier(key.path("keytype").asText(), "", key.get("keyval")).publicKey());
    } catch (KeyFormatException e) {
      return Optional.empty();
    }
  }

  private static byte[] material(JsonNode keyval) {
    String pub = keyval == null ? null : keyval.path("public").textValue();
    if (pub == null) {
      throw new KeyFormatException("key has no keyval.public");
    }
    try {
      return Base64.getDecoder().decode(pub);
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException("keyval.public is not base64");
    }
  }

  private static X509Certificate leaf(byte[] pem) {
    List<X509Certificate> certificates =
        CertificatePem.parseAll(new String(pem, StandardCharsets.US_ASCII));
    if (certificates.isEmpty()) {
      throw new KeyFormatException("x509 key holds no PEM certificate");
    }
    return certificates.get(0);
  }

  private static SignatureVerifier ecdsa(PublicKey key) {
    return Verifiers.forPublicKey(key, SignatureAlgorithm.ECDSA_P256_SHA256);
  }

  private static SignatureVerifier rsa(PublicKey key) {
    return Verifiers.forPublicKey(key, SignatureAlgorithm.RSA_PSS_SHA256);
  }
}
