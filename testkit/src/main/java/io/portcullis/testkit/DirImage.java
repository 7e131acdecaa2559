package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An image that {@code skopeo copy ... dir:<path>} wrote: {@code manifest.json} plus one file per
 * blob named by its hex digest. {@link #read} checks every blob file against its name, so a pull
 * that stored damaged bytes fails here even if the client did not notice.
 *
 * <p>Two pulls of the same image are identical, digest for digest, exactly when their {@code
 * DirImage}s are equal.
 *
 * @param manifestDigest the sha256 of {@code manifest.json} as written
 * @param blobs each blob's digest (from its file name) to the sha256 of the file's bytes
 */
public record DirImage(String manifestDigest, Map<String, String> blobs) {
  private static final String MANIFEST = "manifest.json";

  public DirImage {
    blobs = Map.copyOf(new TreeMap<>(blobs));
  }

  /** Reads a {@code dir:} copy and fails if any blob's content does not match its name. */
  public static DirImage read(Path dir) {
    Map<String, String> blobs = new TreeMap<>();
    List<String> damaged = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.matches("[a-f0-9]{64}")) {
          String expected = "sha256:" + name;
          String actual = Sha256.of(file);
          blobs.put(expected, actual);
          if (!expected.equals(actual)) {
            damaged.add(name + " holds " + actual);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    if (!damaged.isEmpty()) {
      throw new AssertionError("blobs in " + dir + " do not match their digests: " + damaged);
    }
    Path manifest = dir.resolve(MANIFEST);
    if (!Files.exists(manifest)) {
      throw new AssertionError("no " + MANIFEST + " in " + dir);
    }
    return new DirImage(Sha256.of(manifest), blobs);
  }
}
