package io.portcullis.gateway.cache;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound on what the manifest store keeps on disk: every file counted (rounded up to whole 4 KiB
 * blocks, as the file system spends them), every directory the store made for them counted as one
 * block, and the least recently used files deleted as soon as a write takes the total over the
 * bound. A directory left empty is deleted with its last file, so that repositories an outsider
 * made the gateway fetch from do not leave directories behind forever. Its methods block and are
 * called by the store on worker threads, never on the event loop.
 *
 * <p>Every change to the directory (a file moved into place, a file deleted, a directory made or
 * removed) happens under the same lock as its accounting: an eviction never deletes a file another
 * thread has just moved into place, a delete never leaves a file just written uncounted, and an
 * empty directory is never removed while a write into it is under way.
 *
 * <p>Written by hand rather than with Caffeine, whose TinyLFU admission may refuse the newest
 * entry: here the newest file is the manifest just served, the one most worth keeping; and evicting
 * under the same lock as the accounting keeps the directory within the bound at every moment.
 */
final class DiskBudget {
  private static final Logger LOG = LoggerFactory.getLogger(DiskBudget.class);
  private static final long BLOCK = 4096;

  private final Path root;
  private final long maxBytes;
  // Access order: the first entry is the least recently used file.
  private final LinkedHashMap<Path, Long> files = new LinkedHashMap<>(1024, 0.75f, true);
  // Directories under the root, one block each; removed when their last file goes.
  private final Set<Path> dirs = new HashSet<>();
  private long used;

  DiskBudget(Path root, long maxBytes) {
    this.root = root;
    this.maxBytes = maxBytes;
  }

  /**
   * Moves {@code temp} (written and flushed) onto {@code target} atomically, making and counting
   * its directories; may evict others.
   */
  synchronized void place(Path temp, Path target) throws IOException {
    makeDirectories(target.getParent());
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    written(target, Files.size(target));
  }

  /** A file found in place at start, with {@code size} bytes; may evict others. */
  synchronized void written(Path file, long size) {
    Long previous = files.put(file, blocks(size));
    used += blocks(size) - (previous == null ? 0 : previous);
    evict(file);
  }

  /** A directory found in place at start. */
  synchronized void directory(Path dir) {
    if (!dir.equals(root) && dir.startsWith(root) && dirs.add(dir)) {
      used += BLOCK;
    }
  }

  /** A file was read: it is the most recently used. */
  synchronized void used(Path file) {
    files.get(file);
  }

  /** Deletes a file (and the directories it leaves empty), and stops counting it. */
  synchronized void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
    Long previous = files.remove(file);
    if (previous != null) {
      used -= previous;
    }
    prune(file.getParent());
  }

  /** Bytes counted now. */
  synchronized long used() {
    return used;
  }

  private void makeDirectories(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = dir; d != null && !d.equals(root) && !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    Files.createDirectories(dir);
    for (Path d : missing) {
      directory(d);
    }
  }

  /** Removes {@code dir} and its parents up to the root while they are empty. */
  private void prune(Path dir) throws IOException {
    for (Path d = dir; d != null && dirs.contains(d); d = d.getParent()) {
      try {
        Files.deleteIfExists(d);
      } catch (DirectoryNotEmptyException stillInUse) {
        return;
      }
      dirs.remove(d);
      used -= BLOCK;
    }
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
      pruneQuietly(e.getKey().getParent());
    }
  }

  private void pruneQuietly(Path dir) {
    try {
      prune(dir);
    } catch (IOException err) {
      LOG.debug("cache: could not remove the empty directory {}: {}", dir, err.toString());
    }
  }

  private static long blocks(long size) {
    return Math.max(1, (size + BLOCK - 1) / BLOCK) * BLOCK;
  }
}
