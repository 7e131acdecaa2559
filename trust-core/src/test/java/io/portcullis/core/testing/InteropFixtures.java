package io.portcullis.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one way tests reach the shared interop fixtures ({@code shared/interop}, see its README):
 * found by walking up from the working directory (the layout is {@code <root>/main}, or a worktree
 * beside {@code <root>/shared}).
 *
 * <p>The rule, in one place: when the folder is absent a test that needs it is skipped with a
 * one-line message (a clone outside the project's CI has no fixtures), unless {@code CI=true},
 * where a missing folder is a broken build and fails the test. The folder is looked up when a test
 * first asks, never in a static initialiser, so a skip is a skip and not an initialisation error.
 */
public final class InteropFixtures {
  private static volatile Path root;

  private InteropFixtures() {}

  /** The {@code shared/interop} folder; skips or fails the calling test when it is absent. */
  public static Path root() {
    Path found = root;
    if (found == null) {
      found = require(find(Path.of("").toAbsolutePath()), "true".equals(System.getenv("CI")));
      root = found;
    }
    return found;
  }

  public static Path path(String relative) {
    return root().resolve(relative);
  }

  public static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String text(String relative) {
    return new String(bytes(relative), StandardCharsets.UTF_8);
  }

  /** {@code shared/interop} in {@code start} or the nearest folder above it that has one. */
  static Optional<Path> find(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("interop");
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The folder, or a skip (outside CI) or a failure (with {@code CI=true}) when absent. */
  static Path require(Optional<Path> found, boolean ci) {
    if (found.isPresent()) {
      return found.get();
    }
    String where = "shared/interop not found above " + Path.of("").toAbsolutePath();
    if (ci) {
      return Assertions.fail(where + " (CI=true: the interop fixtures are required)");
    }
    Assumptions.abort(where + ": interop test skipped (CI=true makes this a failure)");
    throw new IllegalStateException("unreachable");
  }
}
