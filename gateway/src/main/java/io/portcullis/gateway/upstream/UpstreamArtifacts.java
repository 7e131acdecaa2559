package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.MediaTypes;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Small documents of a repository as values (manifests, small blobs, referrers), from the {@link
 * ArtifactSource} the route carries: the upstream itself, or the cache in front of it. Anything
 * other than found or not-found is an {@link io.portcullis.gateway.errors.OciException} the caller
 * can present as "could not verify".
 */
public final class UpstreamArtifacts {
  private UpstreamArtifacts() {}

  /**
   * A manifest as the upstream sent it; {@code stale} when it comes from the cache because the
   * upstream could not be asked.
   */
  public record Fetched(byte[] bytes, String mediaType, Digest digest, boolean stale) {
    public Fetched(byte[] bytes, String mediaType, Digest digest) {
      this(bytes, mediaType, digest, false);
    }

    /** The same manifest, marked stale (or not). */
    public Fetched withStale(boolean stale) {
      return new Fetched(bytes, mediaType, digest, stale);
    }
  }

  /** What the referrers lookup found, and whether the upstream already applied the filter. */
  public record Referrers(ImageIndex index, boolean filtered) {}

  /** The manifest at {@code reference} (a tag or digest), or empty when the upstream has none. */
  public static Future<Optional<Fetched>> manifest(
      UpstreamRoute route, String reference, String accept) {
    return route.artifacts().manifest(route, reference, accept);
  }

  /** A small blob, checked against its digest. */
  public static Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes) {
    return route.artifacts().blob(route, digest, maxBytes);
  }

  /**
   * The referrers of {@code subject}: the upstream's referrers API, or, where it has none (CNCF
   * distribution 2.8 answers 404), the {@code sha256-<hex>} referrers tag; an empty index when
   * neither has anything. {@code artifactType} may be null.
   */
  public static Future<Referrers> referrers(
      UpstreamRoute route, Digest subject, String artifactType) {
    return route.artifacts().referrers(route, subject, artifactType);
  }

  /** Every manifest type, for callers that take whatever the upstream has. */
  public static String anyManifest() {
    return String.join(", ", MediaTypes.MANIFEST_TYPES);
  }

  /** Keeps the descriptors of one artifact type. */
  public static ImageIndex filter(ImageIndex index, String artifactType) {
    List<Descriptor> kept =
        index.manifests().stream().filter(d -> artifactType.equals(d.artifactType())).toList();
    return new ImageIndex(2, MediaTypes.OCI_INDEX, null, kept, null, index.annotations());
  }
}
