package io.portcullis.gateway.cache;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A verified blob on disk: its file, size, and what LRU eviction needs (last access, readers in
 * flight, which keep it from being evicted).
 */
public final class CachedBlob {
  private final String hex;
  private final Path file;
  private final long size;
  private final AtomicInteger readers = new AtomicInteger();
  private volatile long lastAccess;

  CachedBlob(String hex, Path file, long size, long lastAccess) {
    this.hex = hex;
    this.file = file;
    this.size = size;
    this.lastAccess = lastAccess;
  }

  String hex() {
    return hex;
  }

  public Path file() {
    return file;
  }

  public long size() {
    return size;
  }

  long lastAccess() {
    return lastAccess;
  }

  boolean inUse() {
    return readers.get() > 0;
  }

  /** Marks a reader as started; {@link #release()} when it is done. */
  public CachedBlob acquire() {
    readers.incrementAndGet();
    lastAccess = System.currentTimeMillis();
    return this;
  }

  public void release() {
    readers.decrementAndGet();
  }
}
