package io.portcullis.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.upstream.ArtifactSource;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamErrors;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Tags resolved to digests, per repository of an upstream. A tag is trusted for the upstream's
 * {@code cache.tagTtl}; after that it is revalidated with a HEAD (Docker Hub counts GETs, not
 * HEADs), and the cached manifest is served when the digest has not moved, or marked stale when the
 * HEAD cannot tell (upstream down, 5xx, 429). A tag the upstream does not have is remembered
 * briefly too ({@link #knownAbsent}).
 */
final class CachedTags {
  private static final long ABSENCE_TTL_MAX_MS = 15_000;

  /** A tag's digest when last asked, or a null digest when the upstream said it has no such tag. */
  private record TagEntry(Digest digest, long checkedAt) {}

  // Bounded by weight, not count: a key is up to some 400 characters (repository and tag names).
  private final Cache<String, TagEntry> tags;
  private final ArtifactSource upstream;
  private final CachedManifests manifests;
  private final ManifestStore store;
  private final DiskWrites disk;
  private final StaleAnswers stale;

  CachedTags(
      ArtifactSource upstream,
      CachedManifests manifests,
      ManifestStore store,
      DiskWrites disk,
      StaleAnswers stale) {
    this(upstream, manifests, store, disk, stale, MemoryBound.MAX_BYTES);
  }

  /** Tags kept in memory up to {@code maxWeight} ({@link MemoryBound#weight}). */
  CachedTags(
      ArtifactSource upstream,
      CachedManifests manifests,
      ManifestStore store,
      DiskWrites disk,
      StaleAnswers stale,
      long maxWeight) {
    this.tags =
        Caffeine.newBuilder()
            .maximumWeight(maxWeight)
            .<String, TagEntry>weigher((k, v) -> MemoryBound.weight(k, 0))
            .build();
    this.upstream = upstream;
    this.manifests = manifests;
    this.store = store;
    this.disk = disk;
    this.stale = stale;
  }

  /** How many tags are held in memory now (their lookups and absences). */
  long size() {
    tags.cleanUp();
    return tags.estimatedSize();
  }

  /** A tag read from disk at start: stale, so revalidated by a HEAD (or served stale). */
  void restored(String repository, String tag, Digest digest) {
    tags.put(repository + ":" + tag, new TagEntry(digest, 0));
  }

  /** Where a tag points now, just fetched. */
  void resolved(UpstreamRoute route, String tag, Digest digest, long now) {
    tags.put(key(route, tag), new TagEntry(digest, now));
  }

  /** The upstream said it has no such tag. */
  void absent(UpstreamRoute route, String tag) {
    tags.put(key(route, tag), new TagEntry(null, System.currentTimeMillis()));
  }

  /**
   * Whether the upstream said, within the last {@link #absenceTtl}, that it has no such tag (e.g.
   * an image without cosign attestations: its .att tag is not asked for again at once).
   */
  boolean knownAbsent(UpstreamRoute route, String tag) {
    TagEntry known = tags.getIfPresent(key(route, tag));
    return known != null
        && known.digest() == null
        && System.currentTimeMillis() - known.checkedAt() < absenceTtl(route);
  }

  /** Whether the last answer about this tag, however old, was that it does not exist. */
  boolean lastKnownAbsent(UpstreamRoute route, String tag) {
    TagEntry known = tags.getIfPresent(key(route, tag));
    return known != null && known.digest() == null;
  }

  /** Forgets a tag (pushed or deleted through the gateway), in memory and on disk. */
  void forget(UpstreamRoute route, String tag) {
    tags.invalidate(key(route, tag));
    String repository = route.upstreamRepository();
    disk.write(
        repository + ":" + tag,
        () -> {
          store.deleteTag(repository, tag);
          return null;
        });
  }

  /**
   * Forgets, in memory and on disk, every tag of the route's repository pointing at {@code digest}.
   */
  void forgetPointingAt(UpstreamRoute route, Digest digest) {
    String prefix = route.upstreamRepository() + ":";
    tags.asMap().entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix) && digest.equals(e.getValue().digest()))
        .map(e -> e.getKey().substring(prefix.length()))
        .toList()
        .forEach(tag -> forget(route, tag));
  }

  /**
   * The manifest a tag points at, from the cache: as is within the TTL; after it, when a HEAD shows
   * the same digest; marked stale when the HEAD cannot tell. Empty when the upstream must be asked
   * with a GET (unknown tag, moved tag, deleted tag).
   */
  Future<Optional<Fetched>> get(UpstreamRoute route, String tag, String accept) {
    TagEntry entry = tags.getIfPresent(key(route, tag));
    if (entry == null || entry.digest() == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return manifests
        .get(route.upstreamRepository(), entry.digest())
        .map(m -> m.filter(f -> acceptable(f, accept)))
        .compose(cached -> revalidate(route, tag, accept, entry, cached));
  }

  private Future<Optional<Fetched>> revalidate(
      UpstreamRoute route, String tag, String accept, TagEntry entry, Optional<Fetched> cached) {
    if (cached.isEmpty() || fresh(route, entry.checkedAt())) {
      return Future.succeededFuture(cached);
    }
    return upstream
        .head(route, tag, accept)
        .map(
            head -> {
              if (head.status() == 200 && entry.digest().toString().equals(head.digest())) {
                // Unchanged: only the memory's clock moves. The tag file on disk stays as it is;
                // a restart revalidates every tag anyway, so rewriting it would buy nothing.
                resolved(route, tag, entry.digest(), System.currentTimeMillis());
                return cached;
              }
              if (UpstreamErrors.isOutage(head.status())) {
                return Optional.of(
                    stale.manifest(route, tag, cached.get(), "HTTP " + head.status()));
              }
              if (head.status() == 404) {
                forget(route, tag);
              }
              return Optional.<Fetched>empty();
            })
        .recover(
            err ->
                // Stale only while the upstream is down: a refusal (a revoked token, say) is
                // asked again with a GET, whose answer is passed on.
                Future.succeededFuture(
                    UpstreamErrors.isOutage(err)
                        ? Optional.of(stale.manifest(route, tag, cached.get(), err.getMessage()))
                        : Optional.<Fetched>empty()));
  }

  /** The last known manifest of a tag, marked stale, for when the upstream failed. */
  Future<Optional<Fetched>> lastKnown(UpstreamRoute route, String tag, String accept, String why) {
    TagEntry entry = tags.getIfPresent(key(route, tag));
    if (entry == null || entry.digest() == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return manifests
        .get(route.upstreamRepository(), entry.digest())
        .map(
            m -> m.filter(f -> acceptable(f, accept)).map(f -> stale.manifest(route, tag, f, why)));
  }

  /**
   * How long a tag's absence is believed: the tag TTL, but at most as long as the enforcer keeps a
   * refusal, so that a signature pushed after a denial is seen as soon as without a cache.
   */
  private static long absenceTtl(UpstreamRoute route) {
    return Math.min(route.upstream().config().tagTtl().toMillis(), ABSENCE_TTL_MAX_MS);
  }

  /** Whether something checked at {@code checkedAt} is still within the upstream's tag TTL. */
  static boolean fresh(UpstreamRoute route, long checkedAt) {
    return System.currentTimeMillis() - checkedAt < route.upstream().config().tagTtl().toMillis();
  }

  /**
   * The tag is kept once, whatever the Accept it was fetched with; a client whose Accept does not
   * name the cached manifest's type goes to the upstream, which may have another for it.
   */
  private static String key(UpstreamRoute route, String tag) {
    return route.upstreamRepository() + ":" + tag;
  }

  /**
   * Whether {@code accept} names the manifest's media type, as a whole entry: a type the upstream
   * chose that is only part of one ({@code application/vnd.oci.image} within {@code
   * application/vnd.oci.image.index.v1+json}) is not what the client asked for.
   */
  private static boolean acceptable(Fetched f, String accept) {
    if (f.mediaType() == null || accept == null) {
      return false;
    }
    for (String entry : accept.split(",")) {
      int params = entry.indexOf(';');
      String type = (params < 0 ? entry : entry.substring(0, params)).strip();
      if (type.equalsIgnoreCase(f.mediaType().strip())) {
        return true;
      }
    }
    return false;
  }
}
