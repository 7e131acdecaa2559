package io.portcullis.core.notation;

import static org.junit.jupiter.api.Assertions.fail;

import io.portcullis.core.x509.TrustStore;
import io.portcullis.core.x509.TrustStoreType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds {@code shared/interop/notation} by walking up from the working directory, so the same tests
 * run in {@code <root>/main} and in a worktree beside {@code <root>/shared}. A missing fixture
 * fails the test rather than skipping it.
 */
public final class InteropFixtures {
  private InteropFixtures() {}

  public static Path notation() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/interop/notation");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return fail("shared/interop/notation not found above " + Path.of("").toAbsolutePath());
  }

  public static Path path(String relative) {
    return notation().resolve(relative);
  }

  public static byte[] read(String relative) {
    try {
      return Files.readAllBytes(path(relative));
    } catch (IOException e) {
      return fail("cannot read fixture " + relative + ": " + e);
    }
  }

  public static TrustStore store(TrustStoreType type, String name, String... files) {
    return TrustStore.fromFiles(
        type, name, List.of(files).stream().map(InteropFixtures::path).toList());
  }
}
