package io.portcullis.gateway.enforce;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.oci.Digest;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which approved indexes list a platform manifest: {@code repository@child} to the digests of the
 * indexes that listed it when they were approved. A platform manifest pulled by digest (as
 * Kubernetes deployments pin them) is then approved by re-deciding its indexes under the policy in
 * force, on any replica that has seen them and after a restart, instead of depending on whether
 * someone pulled the index since. It only says where to look: nothing is approved by it alone.
 *
 * <p>Kept in memory, bounded ({@link #MAX_CHILDREN} children, the oldest dropped first, {@link
 * #MAX_PARENTS} indexes each) and written to {@code dataDir/index-children.json} off the event loop
 * (temp file, then an atomic move). A damaged file is ignored with a warning: the relation is
 * learned again as indexes are pulled.
 */
final class IndexChildren {
  private static final Logger LOG = LoggerFactory.getLogger(IndexChildren.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * At most this many children are remembered: about 7.5 MiB of heap at the bound (measured with a
   * heap histogram: about 375 bytes per child of a 24-character repository with one index).
   */
  static final int MAX_CHILDREN = 20_000;

  static final int MAX_PARENTS = 8;

  private final Vertx vertx;
  private final Path file;
  private final AtomicBoolean saving = new AtomicBoolean();
  private final LinkedHashMap<String, List<String>> parents =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
          return size() > MAX_CHILDREN;
        }
      };

  IndexChildren(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
    if (Files.exists(file)) {
      try {
        Map<String, List<String>> read =
            JSON.readValue(
                file.toFile(), new TypeReference<LinkedHashMap<String, List<String>>>() {});
        read.forEach(
            (child, indexes) -> {
              List<String> valid =
                  indexes == null
                      ? List.of()
                      : indexes.stream().filter(Digest::isDigest).limit(MAX_PARENTS).toList();
              if (!valid.isEmpty()) {
                parents.put(child, new ArrayList<>(valid));
              }
            });
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "ignoring the damaged index relation {} ({}); it is learned again as indexes are pulled",
            file,
            e.getMessage());
        parents.clear();
      }
    }
  }

  /** Records that the approved index {@code index} of {@code repository} lists {@code children}. */
  void record(String repository, Digest index, List<Digest> children) {
    boolean changed = false;
    synchronized (parents) {
      for (Digest child : children) {
        List<String> known =
            parents.computeIfAbsent(repository + "@" + child, k -> new ArrayList<>(1));
        if (!known.contains(index.toString())) {
          known.add(index.toString());
          if (known.size() > MAX_PARENTS) {
            known.remove(0);
          }
          changed = true;
        }
      }
    }
    if (changed) {
      save();
    }
  }

  /** The indexes of {@code repository} known to list {@code child}, newest last. */
  List<Digest> parents(String repository, Digest child) {
    synchronized (parents) {
      List<String> known = parents.get(repository + "@" + child);
      return known == null ? List.of() : known.stream().map(Digest::parse).toList();
    }
  }

  /** Writes the file on a worker thread; changes made meanwhile are in the next write. */
  private void save() {
    if (!saving.compareAndSet(false, true)) {
      return;
    }
    vertx
        .executeBlocking(
            () -> {
              saving.set(false);
              write();
              return null;
            },
            false)
        .onFailure(err -> LOG.warn("cannot write {}: {}", file, err.getMessage()));
  }

  /** Copies under the same lock as the write, so the last write has the newest relation. */
  private synchronized void write() throws IOException {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    synchronized (parents) {
      parents.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, JSON.writeValueAsBytes(copy));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
