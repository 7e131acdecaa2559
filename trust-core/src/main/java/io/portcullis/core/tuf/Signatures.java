package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.SignatureVerifier;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/** Key sets and threshold checks, shared by the root and by delegating targets metadata. */
final class Signatures {
  private Signatures() {}

  /**
   * The usable keys of a KEYS object by id; a key of an unsupported type, or malformed, is left out
   * (python-tuf does the same), so it cannot count towards a threshold.
   */
  static Map<String, SignatureVerifier> keys(String file, JsonNode keyObjects, TufFormat format)
      throws TufException.Malformed {
    if (keyObjects == null || !keyObjects.isObject()) {
      throw new TufException.Malformed(file + " lacks a 'keys' object");
    }
    Map<String, SignatureVerifier> verifiers = new HashMap<>();
    for (Map.Entry<String, JsonNode> key : keyObjects.properties()) {
      JsonNode k = key.getValue();
      if (format.dialect() == TufFormat.Dialect.NOTARY && !key.getKey().equals(KeyIds.notary(k))) {
        // notary names a key by the hash of its canonical JSON; a key listed under another id
        // could pose as a pinned one
        continue;
      }
      try {
        verifiers.put(
            key.getKey(),
            format
                .keyTypes()
                .verifier(k.path("keytype").asText(), k.path("scheme").asText(), k.get("keyval")));
      } catch (KeyFormatException e) {
        // skipped: see above
      }
    }
    return verifiers;
  }

  /** A role's key ids and threshold from a ROLE object. */
  static RootMetadata.Role role(String where, JsonNode role) throws TufException.Malformed {
    if (role == null || !role.isObject() || !role.path("keyids").isArray()) {
      throw new TufException.Malformed(where + " lacks a 'keyids' array");
    }
    Set<String> ids = new HashSet<>();
    for (JsonNode id : role.get("keyids")) {
      ids.add(id.asText());
    }
    long threshold = SignedMetadata.positive(where, role, "threshold");
    if (threshold > Integer.MAX_VALUE) {
      throw new TufException.Malformed(where + " threshold is too large");
    }
    return new RootMetadata.Role(ids, (int) threshold);
  }

  /**
   * Checks that a threshold of {@code role}'s keys signed {@code candidate}. Keys are counted once
   * each however many signatures name them, and by the key itself, not its id: one key listed under
   * two key ids would otherwise satisfy a threshold of two alone. A signature that is empty, not
   * decodable or wrong simply does not count.
   *
   * @return the ids of the keys whose signatures verified
   */
  static Set<String> verify(
      Map<String, SignatureVerifier> verifiers,
      RootMetadata.Role role,
      String roleName,
      SignedMetadata candidate)
      throws TufException.ThresholdNotMet {
    Set<String> valid = new HashSet<>();
    Set<String> validKeys = new HashSet<>();
    for (SignedMetadata.Signature signature : candidate.signatures()) {
      String id = signature.keyId();
      SignatureVerifier verifier = verifiers.get(id);
      if (!role.keyIds().contains(id) || verifier == null || valid.contains(id)) {
        continue;
      }
      String key = HexFormat.of().formatHex(verifier.publicKey().getEncoded());
      if (validKeys.contains(key)) {
        continue;
      }
      byte[] sig = candidate.format().signatureBytes(signature, verifier);
      if (sig != null && verifier.verify(candidate.canonical(), sig)) {
        valid.add(id);
        validKeys.add(key);
      }
    }
    if (valid.size() < role.threshold()) {
      throw new TufException.ThresholdNotMet(
          roleName, candidate.file(), valid.size(), role.threshold());
    }
    return Set.copyOf(valid);
  }
}
