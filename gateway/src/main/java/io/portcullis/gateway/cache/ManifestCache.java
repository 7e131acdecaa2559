package io.portcullis.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Metrics;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.ManifestLookaside;
import io.portcullis.gateway.upstream.UpstreamArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Referrers;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests by digest (immutable: exact bytes and media type) and tags resolved to digests, per
 * repository of an upstream. A tag is trusted for the upstream's {@code cache.tagTtl}; after that
 * it is revalidated with a HEAD (Docker Hub counts GETs, not HEADs), and the cached manifest is
 * served when the digest has not moved. When the upstream is unreachable, times out or answers 5xx
 * or 429, the last known manifest of a tag is served, marked stale. Trust evidence (signature
 * payloads, referrers lists, the absence of a signature tag) is kept too, so that a decision can be
 * made again from the cache while the upstream is down.
 *
 * <p>All of it is also kept on disk ({@link ManifestStore}), so that it outlives a restart: tags
 * are loaded at start, as stale (revalidated by a HEAD, or served stale while the upstream is
 * down); manifests, signature payloads and referrers lists are read from disk, verified, when
 * memory does not have them. The blobs a manifest restored from disk refers to count as confirmed
 * in its repository (the upstream served that manifest there).
 */
public final class ManifestCache implements ManifestLookaside {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestCache.class);
  private static final long MAX_BYTES = 64L * 1024 * 1024;
  private static final long ABSENCE_TTL_MAX_MS = 15_000;
  private static final Duration DELETE_GRACE = Duration.ofSeconds(2);

  /** Counter of answers served stale because the upstream failed. */
  public static final String STALE_METRIC = "portcullis.cache.stale";

  private final Cache<String, Fetched> byDigest =
      Caffeine.newBuilder()
          .maximumWeight(MAX_BYTES)
          .<String, Fetched>weigher((k, v) -> v.bytes().length + k.length())
          .build();
  // Background writes to disk not yet landed, for a graceful shutdown.
  private final AtomicInteger writing = new AtomicInteger();
  private final Cache<String, TagEntry> tags = Caffeine.newBuilder().maximumSize(100_000).build();
  // Trust evidence: signature payloads and envelopes (immutable) and referrers lists (not).
  private final Cache<String, byte[]> smallBlobs =
      Caffeine.newBuilder()
          .maximumWeight(MAX_BYTES)
          .<String, byte[]>weigher((k, v) -> v.length + k.length())
          .build();
  private final Cache<String, ReferrersEntry> referrers =
      Caffeine.newBuilder().maximumSize(100_000).build();

  /** A tag's digest when last asked, or a null digest when the upstream said it has no such tag. */
  private record TagEntry(Digest digest, long checkedAt) {}

  private record ReferrersEntry(Referrers referrers, long checkedAt) {}

  private final GatewayMetrics metrics;
  private final Vertx vertx;
  private final ManifestStore store;
  private final BlobStore blobs;

  private ManifestCache(GatewayMetrics metrics, Vertx vertx, ManifestStore store, BlobStore blobs) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.store = store;
    this.blobs = blobs;
  }

  /**
   * Opens the cache kept under {@code dir}, loading its tags (and their manifests, verified) on a
   * worker thread. Stale answers are counted in {@code metrics}' registry (and in Micrometer's
   * global one); blobs of restored manifests are linked in {@code blobs} (may be null).
   */
  public static Future<ManifestCache> open(
      Vertx vertx, Path dir, GatewayMetrics metrics, BlobStore blobs) {
    ManifestCache cache = new ManifestCache(metrics, vertx, new ManifestStore(dir), blobs);
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
      remember(t.repository(), m.get());
      // Loaded as stale: revalidated by a HEAD when the upstream is up, served stale when not.
      tags.put(t.repository() + ":" + t.tag(), new TagEntry(t.digest(), 0));
      restored++;
    }
    LOG.info("cache: {} tags restored from disk", restored);
    return restored;
  }

  /** Keeps a manifest read from disk in memory, and links the blobs it refers to. */
  private Fetched remember(String repository, Fetched m) {
    byDigest.put(repository + "@" + m.digest(), m);
    if (blobs != null) {
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

  /** Runs a disk operation on a worker thread. */
  private <T> Future<T> onDisk(Callable<T> op) {
    return vertx.executeBlocking(op, false);
  }

  /** Persists in the background; a failure costs only the copy on disk. */
  private void persist(String what, Callable<Void> op) {
    writing.incrementAndGet();
    vertx
        .executeBlocking(op, true)
        .onComplete(ar -> writing.decrementAndGet())
        .onFailure(err -> LOG.warn("cache: could not persist {}: {}", what, err.toString()));
  }

  /**
   * Completes once the writes to disk that were started have landed, or when {@code grace} has
   * passed: a graceful shutdown keeps the manifests and tags just served.
   */
  public Future<Void> settle(Duration grace) {
    return Quiescence.await(vertx, () -> writing.get() == 0, grace)
        .map(
            settled -> {
              if (!settled) {
                LOG.warn(
                    "cache: {} manifest write(s) under way at shutdown are dropped", writing.get());
              }
              return null;
            });
  }

  /** The manifest with this digest in the route's repository, if cached (in memory or on disk). */
  public Future<Optional<Fetched>> byDigest(UpstreamRoute route, Digest digest) {
    String repository = route.upstreamRepository();
    Fetched hit = byDigest.getIfPresent(repository + "@" + digest);
    if (hit != null) {
      return Future.succeededFuture(Optional.of(hit));
    }
    return onDisk(() -> store.readManifest(repository, digest).map(m -> remember(repository, m)))
        .otherwise(Optional.empty());
  }

  /**
   * The manifest a tag points at, from the cache: as is within the TTL; after it, when a HEAD shows
   * the same digest; marked stale when the HEAD cannot tell (upstream down, 5xx, 429). Empty when
   * the upstream must be asked with a GET (unknown tag, moved tag, deleted tag).
   */
  public Future<Optional<Fetched>> byTag(UpstreamRoute route, String tag, String accept) {
    String key = tagKey(route, tag);
    TagEntry entry = tags.getIfPresent(key);
    if (entry == null || entry.digest() == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return byDigest(route, entry.digest())
        .map(m -> m.filter(f -> acceptable(f, accept)))
        .compose(cached -> revalidate(route, tag, accept, key, entry, cached));
  }

  private Future<Optional<Fetched>> revalidate(
      UpstreamRoute route,
      String tag,
      String accept,
      String key,
      TagEntry entry,
      Optional<Fetched> cached) {
    if (cached.isEmpty() || fresh(route, entry.checkedAt())) {
      return Future.succeededFuture(cached);
    }
    return head(route, tag, accept)
        .map(
            status -> {
              if (status.code == 200 && entry.digest().toString().equals(status.digest)) {
                // Unchanged: only the memory's clock moves. The tag file on disk stays as it is;
                // a restart revalidates every tag anyway, so rewriting it would buy nothing.
                tags.put(key, new TagEntry(entry.digest(), System.currentTimeMillis()));
                return cached;
              }
              if (isStaleWorthy(status.code)) {
                return Optional.of(stale(route, tag, cached.get(), "HTTP " + status.code));
              }
              if (status.code == 404) {
                tags.invalidate(key);
                String repository = route.upstreamRepository();
                persist(
                    repository + ":" + tag,
                    () -> {
                      store.deleteTag(repository, tag);
                      return null;
                    });
              }
              return Optional.<Fetched>empty();
            })
        .recover(
            err ->
                Future.succeededFuture(
                    Optional.of(stale(route, tag, cached.get(), err.getMessage()))));
  }

  /** The last known manifest of a tag, marked stale, for when the upstream failed. */
  public Future<Optional<Fetched>> lastKnown(
      UpstreamRoute route, String tag, String accept, String why) {
    TagEntry entry = tags.getIfPresent(tagKey(route, tag));
    if (entry == null || entry.digest() == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return byDigest(route, entry.digest())
        .map(m -> m.filter(f -> acceptable(f, accept)).map(f -> stale(route, tag, f, why)));
  }

  /** Remembers a verified manifest, and the tag that pointed at it (null for a digest). */
  public void put(UpstreamRoute route, String tag, Fetched manifest) {
    Fetched exact = new Fetched(manifest.bytes(), manifest.mediaType(), manifest.digest(), false);
    String repository = route.upstreamRepository();
    byDigest.put(repository + "@" + manifest.digest(), exact);
    long now = System.currentTimeMillis();
    if (tag != null) {
      tags.put(tagKey(route, tag), new TagEntry(manifest.digest(), now));
    }
    // The manifest first: a tag on disk never points at a manifest that is not there.
    persist(
        repository + (tag == null ? "@" + manifest.digest() : ":" + tag),
        () -> {
          store.writeManifest(repository, exact);
          if (tag != null) {
            store.writeTag(repository, tag, exact, now);
          }
          return null;
        });
  }

  /**
   * Forgets a manifest deleted upstream through this gateway, and the tags pointing at it, in
   * memory and on disk; completes once it is gone from both, so that a read after the delete's
   * answer cannot find it.
   */
  public Future<Void> deleted(UpstreamRoute route, Digest digest) {
    String repository = route.upstreamRepository();
    forget(repository, digest);
    Callable<Void> delete =
        () -> {
          store.deleteManifest(repository, digest);
          return null;
        };
    // A write of this manifest still under way would put it back: delete again once writes land.
    return onDisk(delete)
        .compose(v -> Quiescence.await(vertx, () -> writing.get() == 0, DELETE_GRACE))
        .compose(settled -> onDisk(delete))
        .<Void>mapEmpty()
        .onComplete(ar -> forget(repository, digest));
  }

  private void forget(String repository, Digest digest) {
    byDigest.invalidate(repository + "@" + digest);
    tags.asMap()
        .entrySet()
        .removeIf(
            e -> e.getKey().startsWith(repository + ":") && digest.equals(e.getValue().digest()));
  }

  /** Forgets a tag deleted upstream through this gateway, in memory and on disk. */
  public Future<Void> deletedTag(UpstreamRoute route, String tag) {
    String repository = route.upstreamRepository();
    tags.invalidate(tagKey(route, tag));
    return onDisk(
            () -> {
              store.deleteTag(repository, tag);
              return null;
            })
        .<Void>mapEmpty()
        .onComplete(ar -> tags.invalidate(tagKey(route, tag)));
  }

  /**
   * Forgets the referrers lists of {@code subject} (every {@code artifactType} filter) after a
   * referrer was pushed or deleted through this gateway; the copies on disk count as stale already,
   * so the next request asks the upstream.
   */
  public void referrersChanged(UpstreamRoute route, Digest subject) {
    String prefix = route.upstreamRepository() + "@" + subject + "?";
    referrers.asMap().keySet().removeIf(k -> k.startsWith(prefix));
  }

  @Override
  public Future<Optional<Fetched>> manifest(UpstreamRoute route, String reference, String accept) {
    if (Digest.isDigest(reference)) {
      return byDigest(route, Digest.parse(reference))
          .compose(
              hit ->
                  hit.isPresent()
                      ? Future.succeededFuture(hit)
                      : UpstreamArtifacts.fetchManifest(route, reference, accept)
                          .onSuccess(f -> f.ifPresent(m -> put(route, null, m))));
    }
    String key = tagKey(route, reference);
    TagEntry known = tags.getIfPresent(key);
    if (known != null
        && known.digest() == null
        && System.currentTimeMillis() - known.checkedAt() < absenceTtl(route)) {
      // e.g. an image without cosign attestations: its .att tag is not asked for again at once
      return Future.succeededFuture(Optional.empty());
    }
    return byTag(route, reference, accept)
        .compose(
            cached -> {
              if (cached.isPresent()) {
                return Future.succeededFuture(cached);
              }
              return UpstreamArtifacts.fetchManifest(route, reference, accept)
                  .onSuccess(
                      f -> {
                        if (f.isPresent()) {
                          put(route, reference, f.get());
                        } else {
                          tags.put(key, new TagEntry(null, System.currentTimeMillis()));
                        }
                      })
                  .recover(err -> staleTag(route, reference, accept, err));
            });
  }

  /** After a failed fetch of a tag: its last known manifest, or its last known absence. */
  private Future<Optional<Fetched>> staleTag(
      UpstreamRoute route, String tag, String accept, Throwable err) {
    if (!isStaleWorthy(err)) {
      return Future.failedFuture(err);
    }
    return lastKnown(route, tag, accept, err.getMessage())
        .compose(
            last -> {
              if (last.isPresent()) {
                return Future.succeededFuture(last);
              }
              TagEntry known = tags.getIfPresent(tagKey(route, tag));
              if (known != null && known.digest() == null) {
                staleState(
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
    String repository = route.upstreamRepository();
    String key = repository + "@" + digest;
    byte[] hit = smallBlobs.getIfPresent(key);
    if (hit != null && hit.length <= maxBytes) {
      return Future.succeededFuture(hit);
    }
    return onDisk(() -> store.readBlob(repository, digest))
        .otherwise(Optional.empty())
        .compose(
            onDisk -> {
              if (onDisk.isPresent() && onDisk.get().length <= maxBytes) {
                smallBlobs.put(key, onDisk.get());
                return Future.succeededFuture(onDisk.get());
              }
              return UpstreamArtifacts.fetchBlob(route, digest, maxBytes)
                  .onSuccess(
                      bytes -> {
                        smallBlobs.put(key, bytes);
                        persist(
                            key,
                            () -> {
                              store.writeBlob(repository, digest, bytes);
                              return null;
                            });
                      });
            });
  }

  @Override
  public Future<Referrers> referrers(UpstreamRoute route, Digest subject, String artifactType) {
    String repository = route.upstreamRepository();
    String key = repository + "@" + subject + "?" + artifactType;
    ReferrersEntry inMemory = referrers.getIfPresent(key);
    Future<ReferrersEntry> known =
        inMemory != null
            ? Future.succeededFuture(inMemory)
            : onDisk(() -> store.readReferrers(repository, subject, artifactType))
                .map(stored -> stored.map(this::restored).orElse(null))
                .otherwise((ReferrersEntry) null);
    return known.compose(k -> referrers(route, subject, artifactType, key, k));
  }

  /** A referrers list read from disk, as stale (asked for again when the upstream is up). */
  private ReferrersEntry restored(ManifestStore.StoredReferrers stored) {
    try {
      return new ReferrersEntry(
          new Referrers(ManifestCodec.readIndex(stored.index()), stored.filtered()), 0);
    } catch (IllegalArgumentException e) {
      LOG.warn("cache: an unreadable referrers list on disk is ignored: {}", e.getMessage());
      return null;
    }
  }

  private Future<Referrers> referrers(
      UpstreamRoute route, Digest subject, String artifactType, String key, ReferrersEntry known) {
    if (known != null && fresh(route, known.checkedAt())) {
      return Future.succeededFuture(known.referrers());
    }
    String repository = route.upstreamRepository();
    return UpstreamArtifacts.fetchReferrers(route, subject, artifactType)
        .onSuccess(
            r -> {
              referrers.put(key, new ReferrersEntry(r, System.currentTimeMillis()));
              persist(
                  key,
                  () -> {
                    store.writeReferrers(
                        repository,
                        subject,
                        artifactType,
                        r.filtered(),
                        ManifestCodec.write(r.index()));
                    return null;
                  });
            })
        .recover(
            err -> {
              if (known == null || !isStaleWorthy(err)) {
                return Future.failedFuture(err);
              }
              staleState(route, "referrers of " + subject, "referrers list", err.getMessage());
              return Future.succeededFuture(known.referrers());
            });
  }

  /**
   * How long a tag's absence is believed: the tag TTL, but at most as long as the enforcer keeps a
   * refusal, so that a signature pushed after a denial is seen as soon as without a cache.
   */
  private static long absenceTtl(UpstreamRoute route) {
    return Math.min(route.upstream().config().tagTtl().toMillis(), ABSENCE_TTL_MAX_MS);
  }

  private static boolean fresh(UpstreamRoute route, long checkedAt) {
    return System.currentTimeMillis() - checkedAt < route.upstream().config().tagTtl().toMillis();
  }

  /** Whether a failure is the upstream's being down or overloaded (not a refusal or a 404). */
  public static boolean isStaleWorthy(Throwable err) {
    return err instanceof OciException e && isStaleWorthy(e.status());
  }

  /** Whether an upstream status is its being down or overloaded (5xx, 429). */
  public static boolean isStaleWorthy(int status) {
    return status >= 500 || status == 429;
  }

  private record HeadStatus(int code, String digest) {}

  private static Future<HeadStatus> head(UpstreamRoute route, String tag, String accept) {
    MultiMap headers = route.headers().add("Accept", accept);
    return route
        .upstream()
        .send(
            UpstreamRequest.pull(
                HttpMethod.HEAD, route.path("manifests/" + tag), headers, route.upstreamName()))
        .compose(
            resp ->
                resp.end()
                    .map(
                        v ->
                            new HeadStatus(
                                resp.statusCode(), resp.getHeader("Docker-Content-Digest"))));
  }

  private Fetched stale(UpstreamRoute route, String tag, Fetched f, String why) {
    staleState(route, route.upstreamName() + ":" + tag, f.digest().toString(), why);
    return new Fetched(f.bytes(), f.mediaType(), f.digest(), true);
  }

  /**
   * Logs and counts ({@code portcullis.cache.stale}, tagged by upstream, in Micrometer's global
   * registry: seen by whatever registry is added to it) an answer served stale.
   */
  private void staleState(UpstreamRoute route, String what, String served, String why) {
    String upstream = route.upstream().config().name();
    LOG.warn(
        "upstream {} failed for {} ({}); serving the cached {} as stale",
        upstream,
        what,
        why,
        served);
    Metrics.counter(STALE_METRIC, "upstream", upstream).increment();
    metrics.registry().counter(STALE_METRIC, "upstream", upstream).increment();
  }

  /**
   * The tag is kept once, whatever the Accept it was fetched with; a client whose Accept does not
   * name the cached manifest's type goes to the upstream, which may have another for it.
   */
  private static String tagKey(UpstreamRoute route, String tag) {
    return route.upstreamRepository() + ":" + tag;
  }

  private static boolean acceptable(Fetched f, String accept) {
    return f.mediaType() != null && accept.contains(f.mediaType());
  }
}
