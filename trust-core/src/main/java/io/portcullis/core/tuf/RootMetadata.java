package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.SignatureVerifier;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A root metadata file (<a
 * href="https://theupdateframework.github.io/specification/latest/#root">spec 4.3</a>): the keys,
 * and for each top-level role the key ids and the threshold of them that must sign its metadata.
 *
 * @param verifiers the usable keys by id; a key of an unsupported type or malformed is left out, so
 *     it never counts towards a threshold
 */
public record RootMetadata(
    SignedMetadata metadata,
    Map<String, SignatureVerifier> verifiers,
    Map<String, Role> roles,
    boolean consistentSnapshot) {

  /** The top-level roles a root must define. */
  public static final Set<String> ROLES = Set.of("root", "timestamp", "snapshot", "targets");

  /** A role's key ids and threshold. */
  public record Role(Set<String> keyIds, int threshold) {
    public Role {
      keyIds = Set.copyOf(keyIds);
    }
  }

  public RootMetadata {
    verifiers = Map.copyOf(verifiers);
    roles = Map.copyOf(roles);
  }

  public long version() {
    return metadata.version();
  }

  static RootMetadata parse(String file, byte[] raw, Canonicalizer canonicalizer, TufKeyTypes keys)
      throws TufException.Malformed {
    SignedMetadata metadata = SignedMetadata.parse(file, raw, "root", canonicalizer);
    JsonNode signed = metadata.signed();
    JsonNode keyObjects = signed.get("keys");
    JsonNode roleObjects = signed.get("roles");
    if (keyObjects == null
        || !keyObjects.isObject()
        || roleObjects == null
        || !roleObjects.isObject()) {
      throw new TufException.Malformed(file + " lacks 'keys' or 'roles' objects");
    }
    Map<String, SignatureVerifier> verifiers = new HashMap<>();
    for (Map.Entry<String, JsonNode> key : keyObjects.properties()) {
      JsonNode k = key.getValue();
      try {
        verifiers.put(
            key.getKey(),
            keys.verifier(k.path("keytype").asText(), k.path("scheme").asText(), k.get("keyval")));
      } catch (KeyFormatException e) {
        // unusable keys are skipped (python-tuf does the same): they just cannot sign
      }
    }
    Map<String, Role> roles = new HashMap<>();
    for (String name : ROLES) {
      JsonNode role = roleObjects.get(name);
      if (role == null || !role.isObject() || !role.path("keyids").isArray()) {
        throw new TufException.Malformed(file + " does not define the " + name + " role");
      }
      Set<String> ids = new LinkedHashSet<>();
      for (JsonNode id : role.get("keyids")) {
        ids.add(id.asText());
      }
      long threshold = SignedMetadata.positive(file + " role " + name, role, "threshold");
      if (threshold > Integer.MAX_VALUE) {
        throw new TufException.Malformed(file + " role " + name + " threshold is too large");
      }
      roles.put(name, new Role(ids, (int) threshold));
    }
    boolean consistent = signed.path("consistent_snapshot").asBoolean(false);
    return new RootMetadata(metadata, verifiers, roles, consistent);
  }

  /**
   * Checks that a threshold of {@code role}'s keys signed {@code candidate} (spec 5.3.4, 5.4.2,
   * 5.5.3, 5.6.3). Keys are counted once each however many signatures name them; a signature that
   * is empty, not hex or wrong simply does not count.
   */
  public void verify(String role, SignedMetadata candidate) throws TufException.ThresholdNotMet {
    Role keys = roles.get(role);
    Set<String> valid = new HashSet<>();
    for (SignedMetadata.Signature signature : candidate.signatures()) {
      String id = signature.keyId();
      SignatureVerifier verifier = verifiers.get(id);
      if (!keys.keyIds().contains(id) || verifier == null || valid.contains(id)) {
        continue;
      }
      byte[] sig;
      try {
        sig = HexFormat.of().parseHex(signature.sig());
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (sig.length > 0 && verifier.verify(candidate.canonical(), sig)) {
        valid.add(id);
      }
    }
    if (valid.size() < keys.threshold()) {
      throw new TufException.ThresholdNotMet(
          role, candidate.file(), valid.size(), keys.threshold());
    }
  }
}
