package io.portcullis.gateway.cache;

/** What the gateway caches, as handed to the request handlers; {@link #NONE} when disabled. */
public record Caches(BlobStore blobs, ManifestCache manifests) {
  /** No cache: every request is proxied. */
  public static final Caches NONE = new Caches(null, null);
}
