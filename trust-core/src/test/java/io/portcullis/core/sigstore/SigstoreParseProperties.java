package io.portcullis.core.sigstore;

import static io.portcullis.core.testing.Mutations.onlyThrows;

import io.portcullis.core.testing.InteropFixtures;
import io.portcullis.core.testing.Mutations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Bundles and trusted roots from the interop fixtures, mutated: each parses or is refused with
 * {@link SigstoreFormatException}, never another exception, quickly.
 */
class SigstoreParseProperties {

  private static List<byte[]> seeds(String folder) {
    try (Stream<Path> files = Files.list(InteropFixtures.path("sigstore/" + folder))) {
      return files
          .filter(p -> p.toString().endsWith(".sigstore") || p.toString().endsWith(".json"))
          .sorted()
          .map(
              p -> {
                try {
                  return Files.readAllBytes(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Provide
  Arbitrary<byte[]> bundles() {
    return Mutations.inputsLike(seeds("bundles"));
  }

  @Provide
  Arbitrary<byte[]> roots() {
    return Mutations.inputsLike(seeds("trustroot"));
  }

  @Property(tries = 1500)
  void bundlesParseOrAreRefused(@ForAll("bundles") byte[] bytes) {
    onlyThrows(SigstoreFormatException.class, () -> SigstoreBundle.parse(bytes));
  }

  @Property(tries = 1500)
  void trustedRootsParseOrAreRefused(@ForAll("roots") byte[] bytes) {
    onlyThrows(SigstoreFormatException.class, () -> TrustedRoot.parse(bytes));
  }
}
