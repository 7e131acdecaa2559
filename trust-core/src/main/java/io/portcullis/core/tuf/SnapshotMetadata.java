package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Snapshot metadata (<a
 * href="https://theupdateframework.github.io/specification/latest/#file-formats-snapshot">spec
 * 4.4</a>): the version (and optionally length and hashes) of every targets metadata file.
 */
public record SnapshotMetadata(SignedMetadata metadata, Map<String, MetaFile> meta) {
  public SnapshotMetadata {
    meta = Map.copyOf(meta);
  }

  static SnapshotMetadata parse(String file, byte[] raw, TufFormat format)
      throws TufException.Malformed {
    SignedMetadata metadata = SignedMetadata.parse(file, raw, "snapshot", format);
    JsonNode node = metadata.signed().get("meta");
    if (node == null || !node.isObject()) {
      throw new TufException.Malformed(file + " lacks a 'meta' object");
    }
    Map<String, MetaFile> meta = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      meta.put(entry.getKey(), MetaFile.parse(file, entry.getKey(), entry.getValue(), format));
    }
    return new SnapshotMetadata(metadata, meta);
  }

  public long version() {
    return metadata.version();
  }
}
