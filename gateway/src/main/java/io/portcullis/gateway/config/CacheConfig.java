package io.portcullis.gateway.config;

import io.portcullis.core.oci.ManifestLimits;
import java.nio.file.Path;

/**
 * The on-disk pull-through cache: where blobs and manifests are kept and how many bytes they may
 * take before the least recently used are evicted: {@code maxSize} for blobs, {@code
 * manifestMaxSize} for manifests, tags and trust evidence (under {@code <dir>/manifests}). {@code
 * enabled: false} proxies every request. {@code directWrites} (default true) writes cache fills
 * with direct I/O where the file system has it, bypassing the page cache and its writeback
 * throttling.
 */
public record CacheConfig(
    boolean enabled, Path dir, long maxSize, long manifestMaxSize, boolean directWrites) {

  /** With direct writes, the default. */
  public CacheConfig(boolean enabled, Path dir, long maxSize, long manifestMaxSize) {
    this(enabled, dir, maxSize, manifestMaxSize, true);
  }

  /** 20 GiB, the default {@code cache.maxSize}. */
  public static final long DEFAULT_MAX_SIZE = 20L * 1024 * 1024 * 1024;

  /**
   * 256 MiB, the default {@code cache.manifestMaxSize}: tens of thousands of typical manifests and
   * their evidence, or 64 of the largest there may be. The bound also bounds the heap its index
   * takes (some 280 bytes per file, at most one file per 4 KiB: 17 MiB here).
   */
  public static final long DEFAULT_MANIFEST_MAX_SIZE = 256L * 1024 * 1024;

  /** The smallest {@code cache.manifestMaxSize}: room for the largest manifest. */
  public static final long MIN_MANIFEST_MAX_SIZE = 2L * ManifestLimits.MAX_BYTES;

  /**
   * The defaults: enabled, under {@code <dataDir>/cache}, 20 GiB of blobs, 256 MiB of manifests.
   */
  public static CacheConfig defaults(Path dataDir) {
    return new CacheConfig(
        true, dataDir.resolve("cache"), DEFAULT_MAX_SIZE, DEFAULT_MANIFEST_MAX_SIZE);
  }
}
