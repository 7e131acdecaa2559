package io.portcullis.gateway.config;

import java.nio.file.Path;

/**
 * The on-disk pull-through cache: where blobs and manifests are kept and how many bytes they may
 * take before the least recently used are evicted. {@code enabled: false} proxies every request.
 */
public record CacheConfig(boolean enabled, Path dir, long maxSize) {
  /** 20 GiB, the default {@code cache.maxSize}. */
  public static final long DEFAULT_MAX_SIZE = 20L * 1024 * 1024 * 1024;

  /** The defaults: enabled, under {@code <dataDir>/cache}, 20 GiB. */
  public static CacheConfig defaults(Path dataDir) {
    return new CacheConfig(true, dataDir.resolve("cache"), DEFAULT_MAX_SIZE);
  }
}
