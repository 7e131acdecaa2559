package io.portcullis.gateway.upstream;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * A cache the upstream's manifest fetches go through ({@link UpstreamArtifacts#manifest}), so that
 * trust evidence (signature manifests, referrers-tag indexes) is served from it as well.
 * Implemented by the cache layer, which sits above this package.
 */
public interface ManifestLookaside {
  /** As {@link UpstreamArtifacts#manifest}, from the cache where it may be. */
  Future<Optional<UpstreamArtifacts.Fetched>> manifest(
      UpstreamRoute route, String reference, String accept);
}
