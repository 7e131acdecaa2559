package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.SignatureVerifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

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

  /** Parses {@code raw} as root metadata written under {@code format}. */
  public static RootMetadata parse(String file, byte[] raw, TufFormat format)
      throws TufException.Malformed {
    SignedMetadata metadata = SignedMetadata.parse(file, raw, "root", format);
    JsonNode signed = metadata.signed();
    JsonNode roleObjects = signed.get("roles");
    if (roleObjects == null || !roleObjects.isObject()) {
      throw new TufException.Malformed(file + " lacks a 'roles' object");
    }
    Map<String, SignatureVerifier> verifiers = Signatures.keys(file, signed.get("keys"), format);
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
   *
   * @return the ids of the role's keys whose signatures verified
   */
  public Set<String> verify(String role, SignedMetadata candidate)
      throws TufException.ThresholdNotMet {
    return Signatures.verify(verifiers, roles.get(role), role, candidate);
  }

  /**
   * This root with only the keys {@code keep} accepts: a threshold check then counts only those
   * (pinned keys, certificates still valid).
   */
  public RootMetadata restrictKeys(Predicate<String> keep) {
    Map<String, SignatureVerifier> kept = new HashMap<>();
    verifiers.forEach(
        (id, verifier) -> {
          if (keep.test(id)) {
            kept.put(id, verifier);
          }
        });
    return new RootMetadata(metadata, kept, roles, consistentSnapshot);
  }
}
