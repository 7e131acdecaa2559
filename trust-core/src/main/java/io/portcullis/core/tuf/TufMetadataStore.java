package io.portcullis.core.tuf;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The client's trusted state on disk: {@code root.json}, {@code timestamp.json}, {@code
 * snapshot.json}, {@code targets.json} and downloaded targets under {@code targets/}. Every write
 * goes to a temporary file in the same directory that is then renamed over the old one, so a crash
 * leaves either the previous trusted file or the new one, never half of one.
 */
public final class TufMetadataStore {
  private static final String TARGETS = "targets";

  private final Path directory;

  public TufMetadataStore(Path directory) {
    this.directory = directory;
  }

  public Path directory() {
    return directory;
  }

  /** The stored metadata file {@code name} ({@code root.json}, ...), if any. */
  public Optional<byte[]> read(String name) throws IOException {
    return readFile(directory.resolve(name));
  }

  public void write(String name, byte[] bytes) throws IOException {
    writeFile(directory.resolve(name), bytes);
  }

  public void delete(String name) throws IOException {
    Files.deleteIfExists(directory.resolve(name));
  }

  /** A stored target, kept under a name with its path separators encoded. */
  public Optional<byte[]> readTarget(String target) throws IOException {
    return readFile(targetPath(target));
  }

  public void writeTarget(String target, byte[] bytes) throws IOException {
    writeFile(targetPath(target), bytes);
  }

  public void deleteTarget(String target) throws IOException {
    Files.deleteIfExists(targetPath(target));
  }

  private Path targetPath(String target) {
    return directory.resolve(TARGETS).resolve(URLEncoder.encode(target, StandardCharsets.UTF_8));
  }

  private static Optional<byte[]> readFile(Path file) throws IOException {
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static void writeFile(Path file, byte[] bytes) throws IOException {
    Path parent = file.getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
    try {
      Files.write(temp, bytes);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
