package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.SignatureAlgorithm;
import io.portcullis.core.keys.SignatureVerifier;
import io.portcullis.core.keys.Verifiers;
import java.security.PublicKey;
import java.util.HexFormat;

/**
 * Turns a TUF key object ({@code keytype}, {@code scheme}, {@code keyval}) into a verifier, or
 * refuses it. A refused key is not an error of the metadata: it simply cannot count towards a
 * threshold, as in python-tuf.
 */
@FunctionalInterface
public interface TufKeyTypes {
  /**
   * A verifier for the key.
   *
   * @throws KeyFormatException when the type or scheme is unsupported or the key is malformed
   */
  SignatureVerifier verifier(String keytype, String scheme, JsonNode keyval);

  /**
   * The key types of the TUF specification and securesystemslib: {@code ecdsa} and {@code
   * ecdsa-sha2-nistp256} (schemes {@code ecdsa-sha2-nistp256} and {@code -nistp384}; PEM, or the
   * hex-encoded uncompressed point older go-tuf repositories wrote), {@code ed25519} (hex) and
   * {@code rsa} with {@code rsassa-pss-sha256} (PEM).
   */
  static TufKeyTypes standard() {
    return StandardKeys::verifier;
  }

  /** The standard key types. */
  final class StandardKeys {
    // DER SubjectPublicKeyInfo headers that precede a raw key of the given kind
    private static final byte[] P256_SPKI_PREFIX =
        HexFormat.of().parseHex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    private static final byte[] ED25519_SPKI_PREFIX =
        HexFormat.of().parseHex("302a300506032b6570032100");

    private StandardKeys() {}

    static SignatureVerifier verifier(String keytype, String scheme, JsonNode keyval) {
      String pub = keyval == null ? null : keyval.path("public").textValue();
      if (pub == null) {
        throw new KeyFormatException("key has no keyval.public");
      }
      return switch (keytype) {
        case "ecdsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384" -> ecdsa(scheme, pub);
        case "ed25519" -> {
          require(scheme, "ed25519");
          yield Verifiers.forPublicKey(PublicKeyPem.fromDer(raw(ED25519_SPKI_PREFIX, pub, 32)));
        }
        case "rsa" -> {
          require(scheme, "rsassa-pss-sha256");
          yield Verifiers.forPublicKey(PublicKeyPem.parse(pub), SignatureAlgorithm.RSA_PSS_SHA256);
        }
        default -> throw new KeyFormatException("unsupported TUF key type " + keytype);
      };
    }

    private static SignatureVerifier ecdsa(String scheme, String pub) {
      SignatureAlgorithm wanted =
          switch (scheme) {
            case "ecdsa-sha2-nistp256" -> SignatureAlgorithm.ECDSA_P256_SHA256;
            case "ecdsa-sha2-nistp384" -> SignatureAlgorithm.ECDSA_P384_SHA384;
            default -> throw new KeyFormatException("unsupported ECDSA scheme " + scheme);
          };
      PublicKey key =
          pub.startsWith("-----BEGIN")
              ? PublicKeyPem.parse(pub)
              : PublicKeyPem.fromDer(raw(P256_SPKI_PREFIX, pub, 65));
      return Verifiers.forPublicKey(key, wanted);
    }

    private static void require(String scheme, String expected) {
      if (!expected.equals(scheme)) {
        throw new KeyFormatException("unsupported scheme " + scheme + ", expected " + expected);
      }
    }

    private static byte[] raw(byte[] prefix, String hex, int length) {
      byte[] key;
      try {
        key = HexFormat.of().parseHex(hex);
      } catch (IllegalArgumentException e) {
        throw new KeyFormatException("key is neither PEM nor hex");
      }
      if (key.length != length) {
        throw new KeyFormatException("raw key of " + key.length + " bytes, expected " + length);
      }
      byte[] spki = new byte[prefix.length + length];
      System.arraycopy(prefix, 0, spki, 0, prefix.length);
      System.arraycopy(key, 0, spki, prefix.length, length);
      return spki;
    }
  }
}
