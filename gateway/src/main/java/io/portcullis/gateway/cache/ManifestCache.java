package io.portcullis.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Metrics;
import io.portcullis.core.oci.Digest;
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
import io.vertx.core.http.HttpMethod;
import java.util.Optional;
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
 */
public final class ManifestCache implements ManifestLookaside {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestCache.class);
  private static final long MAX_BYTES = 64L * 1024 * 1024;
  private static final long ABSENCE_TTL_MAX_MS = 15_000;

  /** Counter of answers served stale because the upstream failed. */
  public static final String STALE_METRIC = "portcullis.cache.stale";

  private final Cache<String, Fetched> byDigest =
      Caffeine.newBuilder()
          .maximumWeight(MAX_BYTES)
          .<String, Fetched>weigher((k, v) -> v.bytes().length + k.length())
          .build();
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

  /** The manifest with this digest in the route's repository, if cached. */
  public Optional<Fetched> byDigest(UpstreamRoute route, Digest digest) {
    return Optional.ofNullable(byDigest.getIfPresent(repository(route) + "@" + digest));
  }

  /**
   * The manifest a tag points at, from the cache: as is within the TTL; after it, when a HEAD shows
   * the same digest; marked stale when the HEAD cannot tell (upstream down, 5xx, 429). Empty when
   * the upstream must be asked with a GET (unknown tag, moved tag, deleted tag).
   */
  public Future<Optional<Fetched>> byTag(UpstreamRoute route, String tag, String accept) {
    String key = tagKey(route, tag, accept);
    TagEntry entry = tags.getIfPresent(key);
    Optional<Fetched> cached =
        entry == null || entry.digest() == null
            ? Optional.empty()
            : byDigest(route, entry.digest()).filter(f -> acceptable(f, accept));
    if (cached.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    if (fresh(route, entry.checkedAt())) {
      return Future.succeededFuture(cached);
    }
    return head(route, tag, accept)
        .map(
            status -> {
              if (status.code == 200 && entry.digest().toString().equals(status.digest)) {
                tags.put(key, new TagEntry(entry.digest(), System.currentTimeMillis()));
                return cached;
              }
              if (status.staleWorthy()) {
                return Optional.of(stale(route, tag, cached.get(), "HTTP " + status.code));
              }
              if (status.code == 404) {
                tags.invalidate(key);
              }
              return Optional.<Fetched>empty();
            })
        .recover(
            err ->
                Future.succeededFuture(
                    Optional.of(stale(route, tag, cached.get(), err.getMessage()))));
  }

  /** The last known manifest of a tag, marked stale, for when the upstream failed. */
  public Optional<Fetched> lastKnown(UpstreamRoute route, String tag, String accept, String why) {
    TagEntry entry = tags.getIfPresent(tagKey(route, tag, accept));
    return entry == null || entry.digest() == null
        ? Optional.empty()
        : byDigest(route, entry.digest())
            .filter(f -> acceptable(f, accept))
            .map(f -> stale(route, tag, f, why));
  }

  private final GatewayMetrics metrics;

  /** Stale answers are counted in {@code metrics}' registry (and in Micrometer's global one). */
  public ManifestCache(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  /** Remembers a verified manifest, and the tag that pointed at it (null for a digest). */
  public void put(UpstreamRoute route, String tag, String accept, Fetched manifest) {
    Fetched exact = new Fetched(manifest.bytes(), manifest.mediaType(), manifest.digest(), false);
    byDigest.put(repository(route) + "@" + manifest.digest(), exact);
    if (tag != null) {
      tags.put(
          tagKey(route, tag, accept), new TagEntry(manifest.digest(), System.currentTimeMillis()));
    }
  }

  @Override
  public Future<Optional<Fetched>> manifest(UpstreamRoute route, String reference, String accept) {
    if (Digest.isDigest(reference)) {
      Optional<Fetched> hit = byDigest(route, Digest.parse(reference));
      if (hit.isPresent()) {
        return Future.succeededFuture(hit);
      }
      return UpstreamArtifacts.fetchManifest(route, reference, accept)
          .onSuccess(f -> f.ifPresent(m -> put(route, null, accept, m)));
    }
    String key = tagKey(route, reference, accept);
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
                          put(route, reference, accept, f.get());
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
    Optional<Fetched> last = lastKnown(route, tag, accept, err.getMessage());
    if (last.isPresent()) {
      return Future.succeededFuture(last);
    }
    TagEntry known = tags.getIfPresent(tagKey(route, tag, accept));
    if (known != null && known.digest() == null) {
      staleState(route, route.upstreamName() + ":" + tag, "absence of the tag", err.getMessage());
      return Future.succeededFuture(Optional.empty());
    }
    return Future.failedFuture(err);
  }

  @Override
  public Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes) {
    String key = repository(route) + "@" + digest;
    byte[] hit = smallBlobs.getIfPresent(key);
    if (hit != null && hit.length <= maxBytes) {
      return Future.succeededFuture(hit);
    }
    return UpstreamArtifacts.fetchBlob(route, digest, maxBytes)
        .onSuccess(bytes -> smallBlobs.put(key, bytes));
  }

  @Override
  public Future<Referrers> referrers(UpstreamRoute route, Digest subject, String artifactType) {
    String key = repository(route) + "@" + subject + "?" + artifactType;
    ReferrersEntry known = referrers.getIfPresent(key);
    if (known != null && fresh(route, known.checkedAt())) {
      return Future.succeededFuture(known.referrers());
    }
    return UpstreamArtifacts.fetchReferrers(route, subject, artifactType)
        .onSuccess(r -> referrers.put(key, new ReferrersEntry(r, System.currentTimeMillis())))
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
    return err instanceof OciException e && (e.status() >= 500 || e.status() == 429);
  }

  private record HeadStatus(int code, String digest) {
    boolean staleWorthy() {
      return code >= 500 || code == 429;
    }
  }

  private static Future<HeadStatus> head(UpstreamRoute route, String tag, String accept) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Accept", accept);
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

  private static String repository(UpstreamRoute route) {
    return route.upstream().config().name() + "/" + route.upstreamName();
  }

  /**
   * The tag is kept once, whatever the Accept it was fetched with; a client whose Accept does not
   * name the cached manifest's type goes to the upstream, which may have another for it.
   */
  private static String tagKey(UpstreamRoute route, String tag, String accept) {
    return repository(route) + ":" + tag;
  }

  private static boolean acceptable(Fetched f, String accept) {
    return f.mediaType() != null && accept.contains(f.mediaType());
  }
}
