package io.portcullis.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.gateway.upstream.ArtifactSource;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Referrers;
import io.portcullis.gateway.upstream.UpstreamErrors;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trust evidence besides manifests: small blobs (signature payloads, envelopes, image configs;
 * immutable) and referrers lists (not: asked for again after the tag TTL, and served stale when the
 * upstream is down), so that a decision can be made again from the cache while the upstream is
 * down. Memory is bounded by weight ({@link MemoryBound}), the disk by the store's bound.
 */
final class CachedEvidence {
  private static final Logger LOG = LoggerFactory.getLogger(CachedEvidence.class);

  /** A referrers list, when it was asked for, and its size as JSON (its weight in memory). */
  private record ReferrersEntry(Referrers referrers, long checkedAt, int size) {}

  private final Cache<String, byte[]> smallBlobs =
      Caffeine.newBuilder()
          .maximumWeight(MemoryBound.MAX_BYTES)
          .<String, byte[]>weigher((k, v) -> MemoryBound.weight(k, v.length))
          .build();
  // A referrers list can be as large as a manifest: bounded by weight, like the manifests.
  private final Cache<String, ReferrersEntry> referrers =
      Caffeine.newBuilder()
          .maximumWeight(MemoryBound.MAX_BYTES)
          .<String, ReferrersEntry>weigher((k, v) -> MemoryBound.weight(k, v.size()))
          .build();
  private final ArtifactSource upstream;
  private final ManifestStore store;
  private final DiskWrites disk;
  private final StaleAnswers stale;

  CachedEvidence(
      ArtifactSource upstream, ManifestStore store, DiskWrites disk, StaleAnswers stale) {
    this.upstream = upstream;
    this.store = store;
    this.disk = disk;
    this.stale = stale;
  }

  Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes) {
    String repository = route.upstreamRepository();
    String key = repository + "@" + digest;
    byte[] hit = smallBlobs.getIfPresent(key);
    if (hit != null && hit.length <= maxBytes) {
      return Future.succeededFuture(hit);
    }
    return disk.read(() -> store.readBlob(repository, digest))
        .otherwise(java.util.Optional.empty())
        .compose(
            onDisk -> {
              if (onDisk.isPresent() && onDisk.get().length <= maxBytes) {
                smallBlobs.put(key, onDisk.get());
                return Future.succeededFuture(onDisk.get());
              }
              return upstream
                  .blob(route, digest, maxBytes)
                  .onSuccess(
                      bytes -> {
                        smallBlobs.put(key, bytes);
                        disk.write(
                            key,
                            () -> {
                              store.writeBlob(repository, digest, bytes);
                              return null;
                            });
                      });
            });
  }

  Future<Referrers> referrers(UpstreamRoute route, Digest subject, String artifactType) {
    String repository = route.upstreamRepository();
    String key = repository + "@" + subject + "?" + artifactType;
    ReferrersEntry inMemory = referrers.getIfPresent(key);
    Future<ReferrersEntry> known =
        inMemory != null
            ? Future.succeededFuture(inMemory)
            : disk.read(() -> store.readReferrers(repository, subject, artifactType))
                .map(stored -> stored.map(CachedEvidence::restored).orElse(null))
                .otherwise((ReferrersEntry) null);
    return known.compose(k -> referrers(route, subject, artifactType, key, k));
  }

  /**
   * Forgets the referrers lists of {@code subject} (every {@code artifactType} filter) after a
   * referrer was pushed or deleted through this gateway; the copies on disk count as stale already,
   * so the next request asks the upstream.
   */
  void referrersChanged(UpstreamRoute route, Digest subject) {
    String prefix = route.upstreamRepository() + "@" + subject + "?";
    referrers.asMap().keySet().removeIf(k -> k.startsWith(prefix));
  }

  /** A referrers list read from disk, as stale (asked for again when the upstream is up). */
  private static ReferrersEntry restored(ManifestStore.StoredReferrers stored) {
    try {
      return new ReferrersEntry(
          new Referrers(ManifestCodec.readIndex(stored.index()), stored.filtered()),
          0,
          stored.index().length);
    } catch (IllegalArgumentException e) {
      LOG.warn("cache: an unreadable referrers list on disk is ignored: {}", e.getMessage());
      return null;
    }
  }

  private Future<Referrers> referrers(
      UpstreamRoute route, Digest subject, String artifactType, String key, ReferrersEntry known) {
    if (known != null && CachedTags.fresh(route, known.checkedAt())) {
      return Future.succeededFuture(known.referrers());
    }
    String repository = route.upstreamRepository();
    return upstream
        .referrers(route, subject, artifactType)
        .onSuccess(
            r -> {
              byte[] json = ManifestCodec.write(r.index());
              referrers.put(key, new ReferrersEntry(r, System.currentTimeMillis(), json.length));
              disk.write(
                  key,
                  () -> {
                    store.writeReferrers(repository, subject, artifactType, r.filtered(), json);
                    return null;
                  });
            })
        .recover(
            err -> {
              if (known == null || !UpstreamErrors.isOutage(err)) {
                return Future.failedFuture(err);
              }
              stale.report(route, "referrers of " + subject, "referrers list", err.getMessage());
              return Future.succeededFuture(known.referrers());
            });
  }
}
