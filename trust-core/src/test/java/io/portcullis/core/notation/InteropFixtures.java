package io.portcullis.core.notation;

import static org.junit.jupiter.api.Assertions.fail;

import io.portcullis.core.x509.TrustStore;
import io.portcullis.core.x509.TrustStoreType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Notation part of the shared interop fixtures, {@code shared/interop/notation}, found (and
 * skipped or failed when absent) by {@link io.portcullis.core.testing.InteropFixtures}.
 */
public final class InteropFixtures {
  private InteropFixtures() {}

  public static Path notation() {
    return io.portcullis.core.testing.InteropFixtures.path("notation");
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
