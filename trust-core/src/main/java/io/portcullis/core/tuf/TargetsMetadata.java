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

  /**
   * Parses the targets metadata of {@code role} ({@code targets} or a delegated role's name, which
   * Notary's delegation names are checked against).
   */
  static TargetsMetadata parse(String file, byte[] raw, String role, TufFormat format)
      throws TufException.Malformed {
    SignedMetadata metadata = SignedMetadata.parse(file, raw, "targets", format);
    JsonNode node = metadata.signed().get("targets");
    if (node == null || !node.isObject()) {
      throw new TufException.Malformed(file + " lacks a 'targets' object");
    }
    Map<String, TargetFile> targets = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      targets.put(entry.getKey(), TargetFile.parse(file, entry.getKey(), entry.getValue(), format));
    }
    return new TargetsMetadata(
        metadata,
        targets,
        Delegations.parse(file, metadata.signed().get("delegations"), role, format));
  }

  public long version() {
    return metadata.version();
  }
}
