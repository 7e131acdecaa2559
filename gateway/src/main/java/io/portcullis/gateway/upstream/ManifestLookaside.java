package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * A cache the upstream's small fetches go through ({@link UpstreamArtifacts#manifest}, {@link
 * UpstreamArtifacts#blob}, {@link UpstreamArtifacts#referrers}), so that trust evidence (signature
 * manifests and payloads, referrers, attestations) is served from it as well. Implemented by the
 * cache layer, which sits above this package.
 */
public interface ManifestLookaside {
  /** As {@link UpstreamArtifacts#manifest}, from the cache where it may be. */
  Future<Optional<UpstreamArtifacts.Fetched>> manifest(
      UpstreamRoute route, String reference, String accept);

  /** As {@link UpstreamArtifacts#blob}, from the cache where it may be. */
  Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes);

  /** As {@link UpstreamArtifacts#referrers}, from the cache where it may be. */
  Future<UpstreamArtifacts.Referrers> referrers(
      UpstreamRoute route, Digest subject, String artifactType);
}
