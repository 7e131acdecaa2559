package io.portcullis.core.oci;

/**
 * The size limit on manifests, one definition for every reader and writer of them (the gateway's
 * proxy, cache and evidence fetches, and the CLI's registry client). CNCF distribution refuses
 * manifests over 4 MiB ({@code defaultManifestBodyLimit}), so nothing larger is a manifest any
 * registry serves; anything that claims to be is refused before it is read.
 */
public final class ManifestLimits {
  /** 4 MiB, the largest manifest or index read, written or kept. */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  /** How the limit reads in messages. */
  public static final String MAX_TEXT = "4 MiB";

  private ManifestLimits() {}
}
