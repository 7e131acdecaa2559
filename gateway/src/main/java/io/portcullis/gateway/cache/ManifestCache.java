package io.portcullis.gateway.cache;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.ArtifactSource;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Referrers;
import io.portcullis.gateway.upstream.UpstreamErrors;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ArtifactSource} that caches another (the upstream): manifests by digest ({@link
 * CachedManifests}), tags with their TTL, HEAD revalidation and absence ({@link CachedTags}), and
 * trust evidence ({@link CachedEvidence}). When the upstream is unreachable, times out or answers
 * 5xx or 429, the last known manifest of a tag is served, marked stale.
 *
 * <p>All of it is also kept on disk ({@link ManifestStore}, within its bound), so that it outlives
 * a restart: tags are loaded at start, as stale (revalidated by a HEAD, or served stale while the
 * upstream is down); manifests, signature payloads and referrers lists are read from disk,
 * verified, when memory does not have them. A tag whose manifest was evicted from disk is dropped
 * at the next start, and fetched again when asked for.
 */
public final class ManifestCache implements ArtifactSource {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestCache.class);

  /** Counter of answers served stale because the upstream failed. */
  public static final String STALE_METRIC = "portcullis.cache.stale";

  // How long a delete waits for cache writes under way, which could put the manifest back.
  private static final Duration DELETE_GRACE = Duration.ofSeconds(2);

  private final ArtifactSource upstream;
  private final ManifestStore store;
  private final DiskWrites disk;
  private final CachedManifests manifests;
  private final CachedTags tags;
  private final CachedEvidence evidence;
  private final StaleAnswers stale;
  private final ColdFetches<Optional<Fetched>> cold;

  private ManifestCache(
      Vertx vertx,
      ArtifactSource upstream,
      ManifestStore store,
      GatewayMetrics metrics,
      BlobStore blobs) {
    this.upstream = upstream;
    this.store = store;
    this.disk = new DiskWrites(vertx);
    this.cold = new ColdFetches<>(vertx);
    this.stale = new StaleAnswers(metrics);
    this.manifests = new CachedManifests(store, disk, blobs);
    this.tags = new CachedTags(upstream, manifests, store, disk, stale);
    this.evidence = new CachedEvidence(upstream, store, disk, stale);
  }

  /**
   * Opens the cache of {@code upstream} kept under {@code dir} (at most {@code maxDiskBytes}),
   * loading its tags (and their manifests, verified) on a worker thread. Stale answers are counted
   * in {@code metrics}' registry (and in Micrometer's global one); blobs of restored manifests are
   * linked in {@code blobs} (may be null).
   */
  public static Future<ManifestCache> open(
      Vertx vertx,
      Path dir,
      long maxDiskBytes,
      GatewayMetrics metrics,
      BlobStore blobs,
      ArtifactSource upstream) {
    ManifestCache cache =
        new ManifestCache(vertx, upstream, new ManifestStore(dir, maxDiskBytes), metrics, blobs);
    return vertx.executeBlocking(cache::restore, false).map(n -> cache);
  }

  /** Loads the persisted tags whose manifest is sound (worker thread); returns how many. */
  private int restore() throws IOException {
    List<ManifestStore.StoredTag> stored = store.load();
    int restored = 0;
    for (ManifestStore.StoredTag t : stored) {
      Optional<Fetched> m = store.readManifest(t.repository(), t.digest());
      if (m.isEmpty()) {
        LOG.warn(
            "cache: tag {}:{} lost its manifest {}; dropped", t.repository(), t.tag(), t.digest());
        store.deleteTag(t.repository(), t.tag());
        continue;
      }
      manifests.remember(t.repository(), m.get());
      tags.restored(t.repository(), t.tag(), t.digest());
      restored++;
    }
    LOG.info("cache: {} tags restored from disk", restored);
    return restored;
  }

  /** Completes once the writes to disk under way have landed, or when {@code grace} has passed. */
  public Future<Void> settle(Duration grace) {
    return disk.settle(grace);
  }

  @Override
  public Future<Optional<Fetched>> manifest(UpstreamRoute route, String reference, String accept) {
    if (Digest.isDigest(reference)) {
      return held(route, Digest.parse(reference))
          .compose(
              hit ->
                  hit.isPresent()
                      ? Future.succeededFuture(hit)
                      : cold.get(
                          coldKey(route, reference, accept),
                          () ->
                              upstream
                                  .manifest(route, reference, accept)
                                  .onSuccess(f -> f.ifPresent(m -> put(route, null, m)))));
    }
    if (tags.knownAbsent(route, reference)) {
      return Future.succeededFuture(Optional.empty());
    }
    return tags.get(route, reference, accept)
        .compose(
            cached -> {
              if (cached.isPresent()) {
                return Future.succeededFuture(cached);
              }
              return cold.get(
                  coldKey(route, reference, accept),
                  () ->
                      upstream
                          .manifest(route, reference, accept)
                          .onSuccess(
                              f -> {
                                if (f.isPresent()) {
                                  put(route, reference, f.get());
                                } else {
                                  tags.absent(route, reference);
                                }
                              })
                          .recover(err -> staleTag(route, reference, accept, err)));
            });
  }

  /** Clients asking alike for one manifest at once share one upstream fetch. */
  private static String coldKey(UpstreamRoute route, String reference, String accept) {
    return route.upstreamRepository()
        + (Digest.isDigest(reference) ? "@" : ":")
        + reference
        + " "
        + accept;
  }

  /** Remembers a verified manifest, and the tag that pointed at it (null for a digest). */
  private void put(UpstreamRoute route, String tag, Fetched manifest) {
    String repository = route.upstreamRepository();
    Fetched exact = manifests.keep(repository, manifest);
    long now = System.currentTimeMillis();
    if (tag != null) {
      tags.resolved(route, tag, manifest.digest(), now);
    }
    // The manifest first: a tag on disk never points at a manifest that is not there.
    disk.write(
        repository + (tag == null ? "@" + manifest.digest() : ":" + tag),
        () -> {
          store.writeManifest(repository, exact);
          if (tag != null) {
            store.writeTag(repository, tag, exact, now);
          }
          return null;
        });
  }

  /** After a failed fetch of a tag: its last known manifest, or its last known absence. */
  private Future<Optional<Fetched>> staleTag(
      UpstreamRoute route, String tag, String accept, Throwable err) {
    if (!UpstreamErrors.isOutage(err)) {
      return Future.failedFuture(err);
    }
    return tags.lastKnown(route, tag, accept, err.getMessage())
        .compose(
            last -> {
              if (last.isPresent()) {
                return Future.succeededFuture(last);
              }
              if (tags.lastKnownAbsent(route, tag)) {
                stale.report(
                    route,
                    route.upstreamName() + ":" + tag,
                    "absence of the tag",
                    err.getMessage());
                return Future.succeededFuture(Optional.<Fetched>empty());
              }
              return Future.<Optional<Fetched>>failedFuture(err);
            });
  }

  @Override
  public Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes) {
    return evidence.blob(route, digest, maxBytes);
  }

  @Override
  public Future<Referrers> referrers(UpstreamRoute route, Digest subject, String artifactType) {
    return evidence.referrers(route, subject, artifactType);
  }

  @Override
  public Future<Head> head(UpstreamRoute route, String reference, String accept) {
    return upstream.head(route, reference, accept);
  }

  @Override
  public Future<Optional<Fetched>> held(UpstreamRoute route, Digest digest) {
    return manifests.get(route.upstreamRepository(), digest);
  }

  @Override
  public Future<Optional<Fetched>> lastKnown(
      UpstreamRoute route, String tag, String accept, String why) {
    return tags.lastKnown(route, tag, accept, why);
  }

  @Override
  public void pushed(UpstreamRoute route, String tag, Fetched manifest) {
    put(route, tag, manifest);
  }

  @Override
  public Future<Void> deleted(UpstreamRoute route, Digest digest) {
    String repository = route.upstreamRepository();
    manifests.forget(repository, digest);
    tags.forgetPointingAt(route, digest);
    // A write of this manifest still under way would put it back: delete again once writes land.
    return disk.settle(DELETE_GRACE)
        .compose(
            v ->
                disk.read(
                    () -> {
                      store.deleteManifest(repository, digest);
                      return null;
                    }))
        .<Void>mapEmpty()
        .onComplete(ar -> manifests.forget(repository, digest));
  }

  @Override
  public Future<Void> deletedTag(UpstreamRoute route, String tag) {
    tags.forget(route, tag);
    return disk.settle(DELETE_GRACE).onComplete(ar -> tags.forget(route, tag));
  }

  @Override
  public void referrersChanged(UpstreamRoute route, Digest subject) {
    evidence.referrersChanged(route, subject);
  }
}
