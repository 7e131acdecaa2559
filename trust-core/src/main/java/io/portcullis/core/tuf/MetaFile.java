package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a timestamp says of {@code snapshot.json}, or a snapshot of a targets metadata file
 * (METAFILES, <a
 * href="https://theupdateframework.github.io/specification/latest/#file-formats-timestamp">spec
 * 4.6</a>): its version, and its length and hashes when the repository gives them.
 *
 * @param version the version it must have; 0 when not given, which only Notary does (it names
 *     metadata by hashes and length, and rollbacks are then checked against the stored version)
 */
public record MetaFile(long version, OptionalLong length, Map<String, String> hashes) {
  public MetaFile {
    hashes = Map.copyOf(hashes);
  }

  static MetaFile parse(String file, String name, JsonNode node, TufFormat format)
      throws TufException.Malformed {
    if (node == null || !node.isObject()) {
      throw new TufException.Malformed(file + ": meta '" + name + "' must be an object");
    }
    String where = file + " meta '" + name + "'";
    long version =
        format.dialect() == TufFormat.Dialect.NOTARY && !node.has("version")
            ? 0
            : SignedMetadata.positive(where, node, "version");
    OptionalLong length =
        node.has("length")
            ? OptionalLong.of(SignedMetadata.integer(where, node, "length", 0))
            : OptionalLong.empty();
    Map<String, String> hashes =
        node.has("hashes") ? Hashes.parse(where, node.get("hashes"), format) : Map.of();
    return new MetaFile(version, length, hashes);
  }
}
