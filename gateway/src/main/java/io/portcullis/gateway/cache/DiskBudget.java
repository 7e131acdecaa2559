package io.portcullis.gateway.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound on what the manifest store keeps on disk: every file counted (rounded up to whole 4 KiB
 * blocks, as the file system spends them), and the least recently used deleted as soon as a write
 * takes the total over the bound. Its methods block and are called by the store on worker threads,
 * never on the event loop.
 *
 * <p>Written by hand rather than with Caffeine, whose TinyLFU admission may refuse the newest
 * entry: here the newest file is the manifest just served, the one most worth keeping; and evicting
 * under the same lock as the accounting keeps the directory within the bound at every moment.
 */
final class DiskBudget {
  private static final Logger LOG = LoggerFactory.getLogger(DiskBudget.class);
  private static final long BLOCK = 4096;

  private final long maxBytes;
  // Access order: the first entry is the least recently used file.
  private final LinkedHashMap<Path, Long> files = new LinkedHashMap<>(1024, 0.75f, true);
  private long used;

  DiskBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** A file now in place with {@code size} bytes (new or replaced); may evict others. */
  synchronized void written(Path file, long size) {
    Long previous = files.put(file, blocks(size));
    used += blocks(size) - (previous == null ? 0 : previous);
    evict(file);
  }

  /** A file was read: it is the most recently used. */
  synchronized void used(Path file) {
    files.get(file);
  }

  /** A file was deleted by the store itself. */
  synchronized void removed(Path file) {
    Long previous = files.remove(file);
    if (previous != null) {
      used -= previous;
    }
  }

  /** Bytes counted now. */
  synchronized long used() {
    return used;
  }

  private void evict(Path keep) {
    Iterator<Map.Entry<Path, Long>> oldest = files.entrySet().iterator();
    while (used > maxBytes && oldest.hasNext()) {
      Map.Entry<Path, Long> e = oldest.next();
      if (e.getKey().equals(keep)) {
        continue;
      }
      try {
        Files.deleteIfExists(e.getKey());
      } catch (IOException err) {
        LOG.warn("cache: could not evict {}: {}", e.getKey(), err.toString());
        continue;
      }
      used -= e.getValue();
      oldest.remove();
      LOG.debug("cache: evicted {} to stay within {} bytes", e.getKey(), maxBytes);
    }
  }

  private static long blocks(long size) {
    return Math.max(1, (size + BLOCK - 1) / BLOCK) * BLOCK;
  }
}
