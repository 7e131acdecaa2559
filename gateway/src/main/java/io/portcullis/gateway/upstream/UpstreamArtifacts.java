package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.MediaTypes;
import java.util.List;

/**
 * The values an {@link ArtifactSource} answers with ({@link Fetched} manifests, {@link Referrers}
 * lists) and the small rules callers share about them: the Accept of every manifest type, and the
 * {@code artifactType} filter of a referrers list.
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
