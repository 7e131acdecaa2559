package io.portcullis.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Manifests by digest, per repository of an upstream: immutable, so kept as long as memory (by
 * weight) and the disk store (by its bound) allow, and read back from disk, verified, when memory
 * no longer has them. The blobs a manifest read back refers to count as confirmed in its repository
 * (the upstream served that manifest there); a manifest names digests, it proves no bytes, so a
 * blob so linked is served from the cache only if that upstream has also served the blob itself
 * ({@link CachedBlob#provenBy}): an upstream's manifest speaks for its own repositories, never for
 * another upstream's blobs.
 */
final class CachedManifests {
  /**
   * The largest manifest read back from disk whose blobs are linked (some 1,700 layers, beyond any
   * real image's). Parsing a 4 MiB manifest of 26,000 layers takes tens of MiB for a moment, and
   * eight such reads at once exhausted a {@code -Xmx128m} gateway (ExhaustionIT); the blobs of a
   * larger manifest are confirmed by one HEAD each when they are served, as after a restart.
   */
  static final int MAX_LINKING_BYTES = 256 * 1024;

  private final Cache<String, Fetched> memory =
      Caffeine.newBuilder()
          .maximumWeight(MemoryBound.MAX_BYTES)
          .<String, Fetched>weigher((k, v) -> MemoryBound.weight(k, v.bytes().length))
          .build();
  private final ManifestStore store;
  private final DiskWrites disk;
  private final BlobStore blobs;

  CachedManifests(ManifestStore store, DiskWrites disk, BlobStore blobs) {
    this.store = store;
    this.disk = disk;
    this.blobs = blobs;
  }

  /** The manifest with this digest in {@code repository}, from memory or disk. */
  Future<Optional<Fetched>> get(String repository, Digest digest) {
    Fetched hit = memory.getIfPresent(key(repository, digest));
    if (hit != null) {
      return Future.succeededFuture(Optional.of(hit));
    }
    return disk.read(() -> store.readManifest(repository, digest).map(m -> remember(repository, m)))
        .otherwise(Optional.empty());
  }

  /** Keeps a manifest in memory (not stale); returns what is kept. */
  Fetched keep(String repository, Fetched m) {
    Fetched exact = m.withStale(false);
    memory.put(key(repository, m.digest()), exact);
    return exact;
  }

  /**
   * Keeps a manifest read from disk in memory, and links the blobs it refers to, unless it is
   * larger than {@link #MAX_LINKING_BYTES}.
   */
  Fetched remember(String repository, Fetched m) {
    keep(repository, m);
    if (blobs != null && m.bytes().length <= MAX_LINKING_BYTES) {
      try {
        ImageManifest image = ManifestCodec.readManifest(m.bytes());
        if (image.config() != null) {
          blobs.link(repository, image.config().parsedDigest());
        }
        if (image.layers() != null) {
          for (Descriptor layer : image.layers()) {
            blobs.link(repository, layer.parsedDigest());
          }
        }
      } catch (IllegalArgumentException notAnImage) {
        // an index, or a manifest of another schema: no blobs of its own
      }
    }
    return m;
  }

  /** Forgets a manifest deleted through the gateway, in memory and on disk. */
  void forget(String repository, Digest digest) {
    memory.invalidate(key(repository, digest));
    disk.write(
        repository + "@" + digest,
        () -> {
          store.deleteManifest(repository, digest);
          return null;
        });
  }

  private static String key(String repository, Digest digest) {
    return repository + "@" + digest;
  }
}
