package io.portcullis.signer;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The Sigstore fixtures in {@code shared/interop/sigstore} (see its README), found above the
 * working directory. The rule of trust-core's {@code InteropFixtures}: absent, a test is skipped
 * with one line, unless {@code CI=true}, where that is a failure.
 */
final class SigstoreFixtures {
  private SigstoreFixtures() {}

  static Path path(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path root = dir.resolve("shared/interop/sigstore");
      if (Files.isDirectory(root)) {
        return root.resolve(relative);
      }
    }
    String missing = "shared/interop/sigstore not found above " + Path.of("").toAbsolutePath();
    if ("true".equals(System.getenv("CI"))) {
      return Assertions.fail(missing + " (CI=true: the interop fixtures are required)");
    }
    Assumptions.abort(missing + ": interop test skipped");
    throw new IllegalStateException("unreachable");
  }

  static String bundle(String name) {
    return path("bundles/" + name).toString();
  }

  /** The public-good root current when the fixtures were made (README: bundles/). */
  static String publicGoodRoot() {
    return path("trustroot/public-good-trusted_root-2026-08.json").toString();
  }

  static String artifact() {
    return path("bundles/artifact.txt").toString();
  }
}
