package io.portcullis.core.tuf;

/**
 * Timestamp metadata (<a
 * href="https://theupdateframework.github.io/specification/latest/#file-formats-timestamp">spec
 * 4.6</a>): which snapshot is current.
 */
public record TimestampMetadata(SignedMetadata metadata, MetaFile snapshot) {
  static TimestampMetadata parse(String file, byte[] raw, Canonicalizer canonicalizer)
      throws TufException.Malformed {
    SignedMetadata metadata = SignedMetadata.parse(file, raw, "timestamp", canonicalizer);
    return new TimestampMetadata(
        metadata,
        MetaFile.parse(file, "snapshot.json", metadata.signed().path("meta").get("snapshot.json")));
  }

  public long version() {
    return metadata.version();
  }
}
