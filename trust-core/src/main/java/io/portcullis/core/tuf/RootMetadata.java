package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.SignatureVerifier;
import java.util.HashMap;
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
    JsonNode roleObjects = signed.get("roles");
    if (roleObjects == null || !roleObjects.isObject()) {
      throw new TufException.Malformed(file + " lacks a 'roles' object");
    }
    Map<String, SignatureVerifier> verifiers = Signatures.keys(file, signed.get("keys"), keys);
    Map<String, Role> roles = new HashMap<>();
    for (String name : ROLES) {
      roles.put(name, Signatures.role(file + " role " + name, roleObjects.get(name)));
    }
    boolean consistent = signed.path("consistent_snapshot").asBoolean(false);
    return new RootMetadata(metadata, verifiers, roles, consistent);
  }

  /**
   * Checks that a threshold of {@code role}'s keys signed {@code candidate} (spec 5.3.4, 5.4.2,
   * 5.5.3, 5.6.3), each key counted once.
   */
  public void verify(String role, SignedMetadata candidate) throws TufException.ThresholdNotMet {
    Signatures.verify(verifiers, roles.get(role), role, candidate);
  }
}
