package io.portcullis.core.tuf;

/**
 * Timestamp metadata (<a
 * href="https://theupdateframework.github.io/specification/latest/#file-formats-timestamp">spec
 * 4.6</a>): which snapshot is current.
 */
public record TimestampMetadata(SignedMetadata metadata, MetaFile snapshot) {
  static TimestampMetadata parse(String file, byte[] raw, TufFormat format)
      throws TufException.Malformed {
    SignedMetadata metadata = SignedMetadata.parse(file, raw, "timestamp", format);
    String name = format.metaName("snapshot");
    return new TimestampMetadata(
        metadata, MetaFile.parse(file, name, metadata.signed().path("meta").get(name), format));
  }

  public long version() {
    return metadata.version();
  }
}
