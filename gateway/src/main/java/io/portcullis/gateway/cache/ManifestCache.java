package io.portcullis.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.ManifestLookaside;
import io.portcullis.gateway.upstream.UpstreamArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests by digest (immutable: exact bytes and media type) and tags resolved to digests, per
 * repository of an upstream. A tag is trusted for the upstream's {@code cache.tagTtl}; after that
 * it is revalidated with a HEAD (Docker Hub counts GETs, not HEADs), and the cached manifest is
 * served when the digest has not moved. When the upstream is unreachable, times out or answers 5xx
 * or 429, the last known manifest of a tag is served, marked stale.
 */
public final class ManifestCache implements ManifestLookaside {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestCache.class);
  private static final long MAX_BYTES = 64L * 1024 * 1024;

  private final Cache<String, Fetched> byDigest =
      Caffeine.newBuilder()
          .maximumWeight(MAX_BYTES)
          .<String, Fetched>weigher((k, v) -> v.bytes().length + k.length())
          .build();
  private final Cache<String, TagEntry> tags = Caffeine.newBuilder().maximumSize(100_000).build();

  private record TagEntry(Digest digest, long checkedAt) {}

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
    Optional<Fetched> cached = entry == null ? Optional.empty() : byDigest(route, entry.digest());
    if (cached.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    Duration ttl = route.upstream().config().tagTtl();
    if (System.currentTimeMillis() - entry.checkedAt() < ttl.toMillis()) {
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
    return entry == null
        ? Optional.empty()
        : byDigest(route, entry.digest())
            .filter(f -> acceptable(f, accept))
            .map(f -> stale(route, tag, f, why));
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
    return byTag(route, reference, accept)
        .compose(
            cached -> {
              if (cached.isPresent()) {
                return Future.succeededFuture(cached);
              }
              return UpstreamArtifacts.fetchManifest(route, reference, accept)
                  .onSuccess(f -> f.ifPresent(m -> put(route, reference, accept, m)))
                  .recover(
                      err -> {
                        Optional<Fetched> stale =
                            isStaleWorthy(err)
                                ? lastKnown(route, reference, accept, err.getMessage())
                                : Optional.empty();
                        return stale.isPresent()
                            ? Future.succeededFuture(stale)
                            : Future.failedFuture(err);
                      });
            });
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

  private static Fetched stale(UpstreamRoute route, String tag, Fetched f, String why) {
    LOG.warn(
        "upstream {} failed for {}:{} ({}); serving the cached {} as stale",
        route.upstream().config().name(),
        route.upstreamName(),
        tag,
        why,
        f.digest());
    return new Fetched(f.bytes(), f.mediaType(), f.digest(), true);
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
