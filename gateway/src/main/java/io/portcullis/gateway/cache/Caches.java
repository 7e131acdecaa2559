package io.portcullis.gateway.cache;

import io.portcullis.gateway.upstream.ArtifactSource;
import io.portcullis.gateway.upstream.DirectArtifacts;

/** What the gateway caches, as handed to the request handlers; {@link #NONE} when disabled. */
public record Caches(BlobStore blobs, ManifestCache manifests) {
  /** No cache: every request is proxied. */
  public static final Caches NONE = new Caches(null, null);

  /** Where manifests and trust evidence are read from: the cache, or the upstream itself. */
  public ArtifactSource artifacts() {
    return manifests != null ? manifests : DirectArtifacts.INSTANCE;
  }
}
