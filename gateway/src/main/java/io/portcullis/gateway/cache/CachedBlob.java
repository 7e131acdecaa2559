package io.portcullis.gateway.cache;

import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A blob on disk: its file, size, whether its content is known to match its digest, which upstreams
 * have proven they hold it ({@link BlobProvers}), and what LRU eviction needs (last access, readers
 * in flight, which keep it from being evicted).
 */
public final class CachedBlob {
  private final String hex;
  private final Path file;
  private final long size;
  private final long modified;
  private final AtomicInteger readers = new AtomicInteger();
  private final Set<String> provers = ConcurrentHashMap.newKeySet();
  private volatile long lastAccess;
  private Future<Boolean> check;

  /**
   * {@code modified} is the file's mtime (ms) when its content was known to match; {@code check} is
   * that knowledge, or null when the content is still to be re-hashed (large files after a
   * restart).
   */
  CachedBlob(String hex, Path file, long size, long modified, Future<Boolean> check) {
    this.hex = hex;
    this.file = file;
    this.size = size;
    this.modified = modified;
    this.lastAccess = modified;
    this.check = check;
  }

  long modified() {
    return modified;
  }

  /** Whether the content matches the digest: known, or found out once by {@code hash}. */
  synchronized Future<Boolean> check(Supplier<Future<Boolean>> hash) {
    if (check == null) {
      check = hash.get();
    }
    return check;
  }

  /**
   * Whether {@code upstream} has served these bytes itself (verified): only then is this copy
   * served through it; any other upstream is asked for the bytes, as on a miss.
   */
  public boolean provenBy(String upstream) {
    return provers.contains(upstream);
  }

  /** The upstreams that have proven they hold the blob. */
  Set<String> provers() {
    return Set.copyOf(provers);
  }

  /** Adds provers (at most {@link BlobProvers#MAX_PER_BLOB}: more are never trusted). */
  void proven(Set<String> upstreams) {
    for (String u : upstreams) {
      if (provers.size() < BlobProvers.MAX_PER_BLOB) {
        provers.add(u);
      }
    }
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
