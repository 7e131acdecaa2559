package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The HASHES objects of TUF metadata, and their check against bytes. */
final class Hashes {
  private static final Map<String, String> JCA = Map.of("sha256", "SHA-256", "sha512", "SHA-512");

  private Hashes() {}

  /**
   * The hashes by algorithm, as lower-case hex; Notary writes them in base64 (its {@code []byte}
   * JSON form), which is decoded here so that every check compares hex.
   */
  static Map<String, String> parse(String where, JsonNode node, TufFormat format)
      throws TufException.Malformed {
    if (node == null || !node.isObject()) {
      throw new TufException.Malformed(where + ": 'hashes' must be an object");
    }
    Map<String, String> hashes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      if (!entry.getValue().isTextual()) {
        throw new TufException.Malformed(where + ": hash " + entry.getKey() + " must be a string");
      }
      String value = entry.getValue().textValue();
      if (format.dialect() == TufFormat.Dialect.NOTARY) {
        try {
          value = HexFormat.of().formatHex(Base64.getDecoder().decode(value));
        } catch (IllegalArgumentException e) {
          throw new TufException.Malformed(where + ": hash " + entry.getKey() + " is not base64");
        }
      }
      hashes.put(entry.getKey(), value.toLowerCase(Locale.ROOT));
    }
    return hashes;
  }

  /**
   * Checks every hash of an algorithm this client knows (sha256, sha512); others are ignored as the
   * spec allows, but at least one must be known, or nothing would have been checked.
   */
  static void verify(String file, byte[] bytes, Map<String, String> expected)
      throws TufException.HashMismatch {
    boolean checked = false;
    for (Map.Entry<String, String> hash : expected.entrySet()) {
      String jca = JCA.get(hash.getKey());
      if (jca == null) {
        continue;
      }
      checked = true;
      String actual = HexFormat.of().formatHex(digest(jca, bytes));
      if (!actual.equals(hash.getValue())) {
        throw new TufException.HashMismatch(
            file + " has " + hash.getKey() + " " + actual + ", expected " + hash.getValue());
      }
    }
    if (!checked) {
      throw new TufException.HashMismatch(
          file + " lists only hash algorithms this client does not know: " + expected.keySet());
    }
  }

  static byte[] digest(String jca, byte[] bytes) {
    try {
      return MessageDigest.getInstance(jca).digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(jca + " is missing from the JDK", e);
    }
  }
}
