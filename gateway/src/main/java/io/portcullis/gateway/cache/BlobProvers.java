package io.portcullis.gateway.cache;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which upstreams have proven that they hold a cached blob by serving its bytes (a fill from them,
 * verified against the digest), on disk so that it outlives a restart: {@code
 * provers/sha256/<hex>/<upstream>}, one empty file per upstream. The cache is shared by every
 * upstream, but an upstream's word that it has a digest (a HEAD, a manifest naming it) is trusted
 * only for the bytes it has served itself: an upstream run by an attacker who knows the digest of a
 * private layer must not get that layer from the cache (see {@code docs/cache.md}).
 *
 * <p>An empty file is created whole or not at all, so no crash leaves half a record, and two
 * upstreams proving one blob at once write two files, never one file twice (no lost update). A
 * record lost (a crash before the directory reached the disk) only costs the upstream one more
 * fetch of the blob: the loss fails closed. Names are upstream names ({@code
 * [a-z0-9][a-z0-9-]{0,62}}, as the configuration allows), at most {@link #MAX_PER_BLOB} a blob.
 *
 * <p>Every method does file I/O: worker threads only.
 */
final class BlobProvers {
  private static final Logger LOG = LoggerFactory.getLogger(BlobProvers.class);

  /**
   * The most upstreams recorded for one blob (a gateway has a handful): an upstream beyond it is
   * held to a fetch every time, never trusted without proof.
   */
  static final int MAX_PER_BLOB = 32;

  private static final Pattern UPSTREAM = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  private final Path root;

  BlobProvers(Path cacheRoot) {
    this.root = cacheRoot.resolve("provers").resolve("sha256");
  }

  /** Whether {@code upstream} can be recorded (an upstream name as the configuration has it). */
  static boolean recordable(String upstream) {
    return UPSTREAM.matcher(upstream).matches();
  }

  /** Records that {@code upstream} served the verified bytes of blob {@code hex}. */
  void record(String hex, String upstream) throws IOException {
    if (!recordable(upstream)) {
      throw new IllegalArgumentException("not an upstream name: " + upstream);
    }
    Path dir = Files.createDirectories(root.resolve(hex));
    try {
      Files.createFile(dir.resolve(upstream));
    } catch (FileAlreadyExistsException already) {
      // recorded before: the proof stands
    }
  }

  /** Forgets the provers of a blob that left the store (evicted, dropped). */
  void forget(String hex) throws IOException {
    deleteRecord(root.resolve(hex));
  }

  /**
   * Reads every record at start-up, deleting those of blobs not {@code stored} and files that are
   * no upstream's name; returns the provers by blob.
   */
  Map<String, Set<String>> load(Predicate<String> stored) throws IOException {
    Files.createDirectories(root);
    Map<String, Set<String>> provers = new HashMap<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.toList()) {
        String hex = dir.getFileName().toString();
        if (!HEX.matcher(hex).matches()
            || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
            || !stored.test(hex)) {
          deleteRecord(dir);
          continue;
        }
        Set<String> names = new HashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.toList()) {
            String name = f.getFileName().toString();
            if (recordable(name)
                && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                && names.size() < MAX_PER_BLOB) {
              names.add(name);
            } else {
              LOG.warn("cache: removing stray prover record {}", f);
              deleteRecord(f);
            }
          }
        }
        provers.put(hex, names);
      }
    }
    return provers;
  }

  /** Deletes a record: a file, or a folder of files. */
  private static void deleteRecord(Path p) throws IOException {
    // never followed: a link placed here must not lead the deletion out of the cache
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> files = Files.list(p)) {
        for (Path f : files.toList()) {
          deleteRecord(f);
        }
      } catch (NoSuchFileException gone) {
        return;
      }
    }
    Files.deleteIfExists(p);
  }
}
