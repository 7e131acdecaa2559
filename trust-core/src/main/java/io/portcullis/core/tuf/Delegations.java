package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.SignatureVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code delegations} of a targets metadata file: the keys its delegated roles use, and the
 * roles in priority order.
 */
public record Delegations(Map<String, SignatureVerifier> verifiers, List<DelegatedRole> roles) {
  public static final Delegations NONE = new Delegations(Map.of(), List.of());

  public Delegations {
    verifiers = Map.copyOf(verifiers);
    roles = List.copyOf(roles);
  }

  static Delegations parse(String file, JsonNode node, String delegator, TufFormat format)
      throws TufException.Malformed {
    if (node == null) {
      return NONE;
    }
    if (!node.isObject() || !node.path("roles").isArray()) {
      throw new TufException.Malformed(file + ": 'delegations' lacks a 'roles' array");
    }
    Map<String, SignatureVerifier> verifiers = Signatures.keys(file, node.get("keys"), format);
    List<DelegatedRole> roles = new ArrayList<>();
    for (JsonNode role : node.get("roles")) {
      roles.add(DelegatedRole.parse(file, role, delegator, format));
    }
    return new Delegations(verifiers, roles);
  }

  /**
   * Checks a delegated role's metadata against this delegator's keys for it.
   *
   * @return the ids of the keys whose signatures verified
   */
  Set<String> verify(DelegatedRole role, SignedMetadata candidate)
      throws TufException.ThresholdNotMet {
    return Signatures.verify(verifiers, role.keys(), role.name(), candidate);
  }
}
