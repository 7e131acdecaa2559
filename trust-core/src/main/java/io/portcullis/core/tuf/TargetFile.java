package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A target as the targets role lists it (<a
 * href="https://theupdateframework.github.io/specification/latest/#targets">spec 4.5</a>): the
 * exact length and the hashes its bytes must have. Both are required; {@code custom} is kept.
 */
public record TargetFile(String name, long length, Map<String, String> hashes, JsonNode custom) {
  public TargetFile {
    hashes = Map.copyOf(hashes);
  }

  static TargetFile parse(String file, String name, JsonNode node, TufFormat format)
      throws TufException.Malformed {
    String where = file + " target '" + name + "'";
    if (node == null || !node.isObject()) {
      throw new TufException.Malformed(where + " must be an object");
    }
    long length = SignedMetadata.integer(where, node, "length", 0);
    Map<String, String> hashes = Hashes.parse(where, node.get("hashes"), format);
    if (hashes.isEmpty()) {
      throw new TufException.Malformed(where + " has no hashes");
    }
    return new TargetFile(name, length, hashes, node.get("custom"));
  }
}
