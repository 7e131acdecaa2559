package io.portcullis.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project rule, checked: no file of {@code shared/interop} (the reference tools' fixtures,
 * under their own licences) is copied into the project; tests read them through {@link
 * InteropFixtures} and documents of our own come from our own code ({@link SignedSeeds}). Compares
 * contents, so a renamed copy is found too.
 */
class NoInteropCopiesTest {
  // Below this a match says nothing ("{}", a newline); every real fixture is larger.
  private static final long MIN_SIZE = 64;
  private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules");

  /**
   * The one exception: Sigstore's public-good trusted root, its pinned TUF root and the staging
   * root are product resources (the offline trust of every install), shipped with their NOTICE and
   * licence beside them.
   */
  private static final String SHIPPED =
      "trust-core/src/main/resources/io/portcullis/core/sigstore/";

  private static final Set<String> ALLOWED =
      Set.of(
          SHIPPED + "public-good-trusted_root.json",
          SHIPPED + "public-good-tuf-root.json",
          SHIPPED + "staging-trusted_root.json",
          SHIPPED + "LICENSE.sigstore-root-signing");

  @Test
  void noFileOfTheProjectIsAnInteropFixture() {
    Path interop = InteropFixtures.root();
    Set<String> fixtures;
    try (Stream<Path> files = Files.walk(interop)) {
      fixtures =
          files
              .filter(NoInteropCopiesTest::counts)
              .map(NoInteropCopiesTest::sha256)
              .collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path project = projectRoot();
    List<String> copies;
    try (Stream<Path> files = Files.walk(project)) {
      copies =
          files
              .filter(f -> !f.startsWith(interop) && !underSkippedDir(project.relativize(f)))
              .filter(NoInteropCopiesTest::counts)
              .filter(f -> fixtures.contains(sha256(f)))
              .map(f -> project.relativize(f).toString())
              .filter(f -> !ALLOWED.contains(f))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(
        List.of(), copies, "copies of shared/interop fixtures; read them through InteropFixtures");
  }

  /** The Maven project above this module's working folder. */
  private static Path projectRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("pom.xml"))
          && Files.isDirectory(dir.resolve("trust-core"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no project root above " + Path.of("").toAbsolutePath());
  }

  private static boolean underSkippedDir(Path relative) {
    for (Path part : relative) {
      if (SKIPPED_DIRS.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }

  private static boolean counts(Path file) {
    try {
      return Files.isRegularFile(file) && Files.size(file) >= MIN_SIZE;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(Path file) {
    try {
      return Digest.sha256(Files.readAllBytes(file)).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
