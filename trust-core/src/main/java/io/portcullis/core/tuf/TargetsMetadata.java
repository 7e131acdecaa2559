package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Targets metadata, top-level or delegated (<a
 * href="https://theupdateframework.github.io/specification/latest/#targets">spec 4.5</a>): the
 * target files with their lengths and hashes, and the roles it delegates to.
 */
public record TargetsMetadata(
    SignedMetadata metadata, Map<String, TargetFile> targets, Delegations delegations) {
  public TargetsMetadata {
    targets = Map.copyOf(targets);
  }

  static TargetsMetadata parse(
      String file, byte[] raw, Canonicalizer canonicalizer, TufKeyTypes types)
      throws TufException.Malformed {
    SignedMetadata metadata = SignedMetadata.parse(file, raw, "targets", canonicalizer);
    JsonNode node = metadata.signed().get("targets");
    if (node == null || !node.isObject()) {
      throw new TufException.Malformed(file + " lacks a 'targets' object");
    }
    Map<String, TargetFile> targets = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      targets.put(entry.getKey(), TargetFile.parse(file, entry.getKey(), entry.getValue()));
    }
    return new TargetsMetadata(
        metadata, targets, Delegations.parse(file, metadata.signed().get("delegations"), types));
  }

  public long version() {
    return metadata.version();
  }
}
