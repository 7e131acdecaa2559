package io.portcullis.gateway.cache;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ManifestLimits;
import io.portcullis.core.oci.Tag;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests, tags and small trust evidence on disk, so that they outlive a restart. Every file is
 * written to {@code tmp/}, flushed, then moved into place atomically: a crash leaves at most a temp
 * file, deleted at the next start, never a partial file under its name. Layout, per repository of
 * an upstream ({@code <repo>} is {@code upstream/name}, URL-encoded into one path segment):
 *
 * <pre>
 * &lt;root&gt;/tmp/                                   writes in progress
 * &lt;root&gt;/&lt;repo&gt;/manifests/&lt;alg&gt;-&lt;hex&gt;    media type, '\n', the manifest's exact bytes
 * &lt;root&gt;/&lt;repo&gt;/tags/&lt;tag&gt;               digest, '\n', media type, '\n', validated at (ms)
 * &lt;root&gt;/&lt;repo&gt;/blobs/&lt;alg&gt;-&lt;hex&gt;        a small blob (signature payload, envelope)
 * &lt;root&gt;/&lt;repo&gt;/referrers/&lt;alg&gt;-&lt;hex&gt;[@type]  filtered flag, '\n', the index JSON
 * </pre>
 *
 * Manifests and blobs are checked against their digest whenever they are read; a file that does not
 * match (or cannot be parsed) is deleted and reads as absent. What is on disk stays within a bound
 * ({@code cache.manifestMaxSize}, {@link DiskBudget}, directories included): the least recently
 * used files are deleted when a write passes it, and at start when the directory is already over
 * it; a repository's directories go with its last file. A tag whose manifest went reads as lost at
 * the next start and is dropped. All methods block: callers run them on worker threads.
 */
final class ManifestStore {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestStore.class);
  // A manifest with its media type line; nothing the store writes is larger.
  private static final int MAX_FILE = ManifestLimits.MAX_BYTES + 1024;
  private static final Charset UTF8 = StandardCharsets.UTF_8;

  private final Path root;
  private final Path tmp;
  private final DiskBudget budget;

  /** A store without a bound of its own. */
  ManifestStore(Path root) {
    this(root, Long.MAX_VALUE);
  }

  /** A store that keeps at most {@code maxBytes} on disk. */
  ManifestStore(Path root, long maxBytes) {
    this.root = root;
    this.tmp = root.resolve("tmp");
    this.budget = new DiskBudget(root, maxBytes);
  }

  /** Bytes on disk, as the bound counts them. */
  long size() {
    return budget.used();
  }

  /** A tag as it was last persisted. */
  record StoredTag(String repository, String tag, Digest digest, long validatedAt) {}

  /** A referrers list as it was last persisted. */
  record StoredReferrers(boolean filtered, byte[] index) {}

  /**
   * Prepares the directory (deleting writes a crash left behind) and returns every readable tag. A
   * tag file that cannot be parsed is deleted; whether its manifest is still sound is for the
   * caller to check by reading it.
   */
  List<StoredTag> load() throws IOException {
    UnfinishedWrites.clear(tmp, "write");
    count();
    List<StoredTag> tags = new ArrayList<>();
    try (Stream<Path> repos = Files.list(root)) {
      for (Path repoDir : repos.toList()) {
        if (repoDir.equals(tmp) || !Files.isDirectory(repoDir.resolve("tags"))) {
          continue;
        }
        String repository = URLDecoder.decode(repoDir.getFileName().toString(), UTF8);
        try (Stream<Path> files = Files.list(repoDir.resolve("tags"))) {
          for (Path f : files.toList()) {
            parseTag(repository, f).ifPresent(tags::add);
          }
        }
      }
    }
    return tags;
  }

  /**
   * Counts what is on disk into the bound, least recently written first, so that a directory over
   * the bound (after it was lowered) sheds its oldest files first.
   */
  private void count() throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    record Found(Path file, long size, long modified) {}
    List<Found> found = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path f : all.filter(f -> !f.startsWith(tmp)).toList()) {
        if (Files.isDirectory(f)) {
          budget.directory(f);
        } else if (Files.isRegularFile(f)) {
          found.add(new Found(f, Files.size(f), Files.getLastModifiedTime(f).toMillis()));
        }
      }
    }
    found.sort(Comparator.comparingLong(Found::modified));
    for (Found f : found) {
      budget.written(f.file(), f.size());
    }
  }

  private Optional<StoredTag> parseTag(String repository, Path file) throws IOException {
    String tag = file.getFileName().toString();
    try {
      String[] lines = Files.readString(file, UTF8).split("\n", -1);
      if (!Tag.isValid(tag) || lines.length < 3) {
        throw new IllegalArgumentException("not a tag record");
      }
      return Optional.of(
          new StoredTag(repository, tag, Digest.parse(lines[0]), Long.parseLong(lines[2])));
    } catch (IllegalArgumentException | CharacterCodingException e) {
      drop(file, "is not a readable tag record (" + e.getMessage() + ")");
      return Optional.empty();
    }
  }

  /** The manifest, verified against its digest; a file that does not match is deleted. */
  Optional<Fetched> readManifest(String repository, Digest digest) throws IOException {
    Path file = manifestFile(repository, digest);
    Optional<byte[]> content = read(file);
    if (content.isEmpty()) {
      return Optional.empty();
    }
    byte[] all = content.get();
    int nl = indexOf(all, (byte) '\n');
    byte[] bytes = nl < 0 ? null : Arrays.copyOfRange(all, nl + 1, all.length);
    if (bytes == null || !Digest.of(digest.algorithm(), bytes).equals(digest)) {
      drop(file, "does not match its digest");
      return Optional.empty();
    }
    String type = new String(all, 0, nl, UTF8);
    return Optional.of(new Fetched(bytes, type.isEmpty() ? null : type, digest));
  }

  /** Persists a verified manifest (once: its content never changes). */
  void writeManifest(String repository, Fetched manifest) throws IOException {
    Path file = manifestFile(repository, manifest.digest());
    if (Files.exists(file)) {
      budget.used(file); // served again: the least worth evicting
      return;
    }
    byte[] type = (manifest.mediaType() == null ? "" : manifest.mediaType()).getBytes(UTF8);
    ByteBuffer buf = ByteBuffer.allocate(type.length + 1 + manifest.bytes().length);
    buf.put(type).put((byte) '\n').put(manifest.bytes()).flip();
    write(file, buf);
  }

  /** Persists where a tag points; the manifest must have been written first. */
  void writeTag(String repository, String tag, Fetched manifest, long validatedAt)
      throws IOException {
    if (!Tag.isValid(tag)) {
      return;
    }
    String record =
        manifest.digest()
            + "\n"
            + (manifest.mediaType() == null ? "" : manifest.mediaType())
            + "\n"
            + validatedAt
            + "\n";
    write(tagFile(repository, tag), ByteBuffer.wrap(record.getBytes(UTF8)));
  }

  /** Forgets a tag the upstream no longer has. */
  void deleteTag(String repository, String tag) throws IOException {
    if (Tag.isValid(tag)) {
      delete(tagFile(repository, tag));
    }
  }

  /** Forgets a manifest deleted upstream. */
  void deleteManifest(String repository, Digest digest) throws IOException {
    delete(manifestFile(repository, digest));
  }

  /** A small blob, verified against its digest; a file that does not match is deleted. */
  Optional<byte[]> readBlob(String repository, Digest digest) throws IOException {
    Path file = blobFile(repository, digest);
    Optional<byte[]> bytes = read(file);
    if (bytes.isPresent() && !Digest.of(digest.algorithm(), bytes.get()).equals(digest)) {
      drop(file, "does not match its digest");
      return Optional.empty();
    }
    return bytes;
  }

  /** Persists a small verified blob (once). */
  void writeBlob(String repository, Digest digest, byte[] bytes) throws IOException {
    Path file = blobFile(repository, digest);
    if (!Files.exists(file)) {
      write(file, ByteBuffer.wrap(bytes));
    }
  }

  /** The last referrers list persisted for a subject and artifact type (null: any). */
  Optional<StoredReferrers> readReferrers(String repository, Digest subject, String artifactType)
      throws IOException {
    Path file = referrersFile(repository, subject, artifactType);
    Optional<byte[]> content = read(file);
    if (content.isEmpty()) {
      return Optional.empty();
    }
    byte[] all = content.get();
    int nl = indexOf(all, (byte) '\n');
    String flag = nl < 0 ? "" : new String(all, 0, nl, UTF8);
    if (!flag.equals("true") && !flag.equals("false")) {
      drop(file, "is not a referrers record");
      return Optional.empty();
    }
    return Optional.of(
        new StoredReferrers(
            Boolean.parseBoolean(flag), Arrays.copyOfRange(all, nl + 1, all.length)));
  }

  /** Persists a referrers list (replacing the last one). */
  void writeReferrers(
      String repository, Digest subject, String artifactType, boolean filtered, byte[] index)
      throws IOException {
    byte[] flag = (filtered + "\n").getBytes(UTF8);
    ByteBuffer buf = ByteBuffer.allocate(flag.length + index.length);
    buf.put(flag).put(index).flip();
    write(referrersFile(repository, subject, artifactType), buf);
  }

  Path manifestFile(String repository, Digest digest) {
    return repoDir(repository).resolve("manifests").resolve(name(digest));
  }

  Path tagFile(String repository, String tag) {
    return repoDir(repository).resolve("tags").resolve(tag);
  }

  private Path blobFile(String repository, Digest digest) {
    return repoDir(repository).resolve("blobs").resolve(name(digest));
  }

  private Path referrersFile(String repository, Digest subject, String artifactType) {
    String suffix = artifactType == null ? "" : "@" + URLEncoder.encode(artifactType, UTF8);
    return repoDir(repository).resolve("referrers").resolve(name(subject) + suffix);
  }

  private Path repoDir(String repository) {
    // Always contains "%2F" (upstream/name), so never "tmp", "." or "..".
    return root.resolve(URLEncoder.encode(repository, UTF8));
  }

  private static String name(Digest digest) {
    return digest.algorithm() + "-" + digest.hex();
  }

  /** Temp file, flushed to disk, then one atomic move: readers see all of it or none. */
  private void write(Path target, ByteBuffer content) throws IOException {
    Files.createDirectories(tmp);
    Path temp = tmp.resolve(target.getFileName() + "." + UUID.randomUUID());
    try {
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        while (content.hasRemaining()) {
          ch.write(content);
        }
        ch.force(true);
      }
      budget.place(temp, target);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the cache directory does not support atomic moves: " + root, e);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private Optional<byte[]> read(Path file) throws IOException {
    try {
      if (Files.size(file) > MAX_FILE) {
        drop(file, "is larger than any manifest");
        return Optional.empty();
      }
      byte[] content = Files.readAllBytes(file);
      budget.used(file);
      return Optional.of(content);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private void drop(Path file, String why) throws IOException {
    LOG.warn("cache: {} {}; dropped", file, why);
    delete(file);
  }

  private void delete(Path file) throws IOException {
    budget.delete(file);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
