package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A private temporary directory that is deleted with everything in it on {@link #close()}. Every
 * registry, skopeo driver and image gets its own, so concurrent test classes never share files.
 */
public final class TempDirectory implements AutoCloseable {
  private final Path path;

  private TempDirectory(Path path) {
    this.path = path;
  }

  /** Creates a fresh directory under {@code java.io.tmpdir} whose name starts with the prefix. */
  public static TempDirectory create(String prefix) {
    try {
      return new TempDirectory(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
  }

  public Path path() {
    return path;
  }

  /** Resolves a name inside this directory. */
  public Path resolve(String name) {
    return path.resolve(name);
  }

  @Override
  public void close() {
    deleteTree(path);
  }

  /** Deletes a file tree, ignoring entries that are already gone. */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
