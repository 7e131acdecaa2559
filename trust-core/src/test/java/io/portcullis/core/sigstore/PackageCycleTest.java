package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code sigstore} builds on {@code cosign} (legacy signatures, Rekor bundles) and {@code dsse}, so
 * neither of those may import {@code sigstore}: the packages would form a cycle.
 */
class PackageCycleTest {
  private static final Path CORE = Path.of("src/main/java/io/portcullis/core");

  @Test
  void cosignAndDsseDoNotImportSigstore() throws IOException {
    List<String> offenders;
    try (Stream<Path> files =
        Stream.concat(Files.list(CORE.resolve("cosign")), Files.list(CORE.resolve("dsse")))) {
      offenders =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> read(f).contains("import io.portcullis.core.sigstore."))
              .map(f -> f.getFileName().toString())
              .toList();
    }
    assertEquals(List.of(), offenders);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
