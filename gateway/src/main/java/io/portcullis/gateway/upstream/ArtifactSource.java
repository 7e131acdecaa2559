package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Referrers;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Where the gateway gets the small documents of a repository as values: manifests by tag or digest
 * (exact bytes, digest checked, capped at {@link io.portcullis.core.oci.ManifestLimits#MAX_BYTES}),
 * small blobs (signatures, envelopes, configs; checked, capped) and referrers lists (the API, or
 * the {@code sha256-<hex>} tag where the upstream has none). The client-facing manifest GET and
 * every piece of trust evidence come through the same source, so there is one fetch, one digest
 * check and one stale fallback.
 *
 * <p>{@link DirectArtifacts} asks the upstream every time; the cache wraps it and answers what it
 * can (as CNCF distribution's pull-through stores wrap the same store interface they implement).
 * The source is chosen once at start-up and carried by every {@link UpstreamRoute}.
 *
 * <p>Absence is an empty answer; anything else that keeps the upstream from answering is an {@link
 * io.portcullis.gateway.errors.OciException} ({@link UpstreamErrors} keeps the upstream's own code,
 * message and status, to be relayed to a client).
 */
public interface ArtifactSource {

  /**
   * The manifest at {@code reference} (a tag or digest), or empty when the upstream has none;
   * marked {@link Fetched#stale()} when it comes from a cache because the upstream could not be
   * asked.
   */
  Future<Optional<Fetched>> manifest(UpstreamRoute route, String reference, String accept);

  /** A small blob of at most {@code maxBytes}, checked against its digest. */
  Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes);

  /**
   * The referrers of {@code subject} ({@code artifactType} may be null); an empty index when there
   * are none.
   */
  Future<Referrers> referrers(UpstreamRoute route, Digest subject, String artifactType);

  /**
   * What a HEAD of the manifest at {@code reference} answers; fails only when the upstream cannot
   * be reached. Registries that count pulls (Docker Hub) count GETs, not HEADs.
   */
  Future<Head> head(UpstreamRoute route, String reference, String accept);

  /** A manifest this source holds without asking the upstream; the direct source holds none. */
  default Future<Optional<Fetched>> held(UpstreamRoute route, Digest digest) {
    return Future.succeededFuture(Optional.empty());
  }

  /**
   * The last known manifest of a tag, marked stale, for when the upstream failed ({@code why}); the
   * direct source knows none.
   */
  default Future<Optional<Fetched>> lastKnown(
      UpstreamRoute route, String tag, String accept, String why) {
    return Future.succeededFuture(Optional.empty());
  }

  /**
   * A manifest a client pushed through the gateway (by {@code tag}, or by digest when it is null)
   * and the upstream accepted: a cache serves it at once, so a read after the push sees it.
   */
  default void pushed(UpstreamRoute route, String tag, Fetched manifest) {}

  /**
   * A manifest a client deleted through the gateway: a cache forgets it and every tag pointing at
   * it, in memory and on disk, before the returned future completes.
   */
  default Future<Void> deleted(UpstreamRoute route, Digest digest) {
    return Future.succeededFuture();
  }

  /** A tag a client deleted through the gateway: a cache forgets it before completing. */
  default Future<Void> deletedTag(UpstreamRoute route, String tag) {
    return Future.succeededFuture();
  }

  /** The referrers of {@code subject} changed through the gateway: cached lists are out of date. */
  default void referrersChanged(UpstreamRoute route, Digest subject) {}

  /** The status and {@code Docker-Content-Digest} of a manifest HEAD (digest may be null). */
  record Head(int status, String digest) {}
}
