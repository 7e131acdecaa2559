package io.portcullis.core.oci;

import static io.portcullis.core.testing.Mutations.onlyThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.testing.Mutations;
import io.portcullis.core.testing.SeedDocuments;
import io.portcullis.core.testing.SignedSeeds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the OCI parsers an outsider reaches through a request path or a manifest body: each
 * returns a value that prints back as its input, or throws its one documented exception.
 */
class OciParsersProperties {
  private static final String NAME_CHARS = "abcz09._-/";

  @Provide
  Arbitrary<String> digestLike() {
    Arbitrary<String> hex =
        Arbitraries.strings().withChars("0123456789abcdefABCDEFg").ofMinLength(0).ofMaxLength(130);
    Arbitrary<String> algorithm = Arbitraries.of("sha256", "sha512", "SHA256", "sha384", "", "md5");
    return Arbitraries.oneOf(
        net.jqwik.api.Combinators.combine(algorithm, Arbitraries.of(":", "", "::", "@"), hex)
            .as((a, sep, h) -> a + sep + h),
        Arbitraries.strings().all().ofMaxLength(140),
        Arbitraries.strings().withChars("0123456789abcdef").ofLength(64).map(h -> "sha256:" + h));
  }

  @Property(tries = 2000)
  void digestParseRoundTripsOrRefuses(@ForAll("digestLike") String value) {
    onlyThrows(
        InvalidReferenceException.class,
        () -> {
          Digest d = Digest.parse(value);
          assertEquals(value, d.toString());
          assertTrue(Digest.isDigest(value));
        });
    if (!Digest.isDigest(value)) {
      onlyThrows(InvalidReferenceException.class, () -> Digest.parse(value));
    }
  }

  @Provide
  Arbitrary<String> nameLike() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars(NAME_CHARS).ofMaxLength(300),
        Arbitraries.strings().withChars(NAME_CHARS + "A%:@ \u0000\u212a").ofMaxLength(40),
        Arbitraries.strings().all().ofMaxLength(40));
  }

  @Property(tries = 2000)
  void repositoryNamesAreSafePathsOrRefused(@ForAll("nameLike") String value) {
    boolean valid = RepositoryName.isValid(value);
    onlyThrows(
        InvalidReferenceException.class,
        () -> {
          RepositoryName name = RepositoryName.of(value);
          assertEquals(value, name.toString());
          assertTrue(value.length() <= RepositoryName.MAX_LENGTH);
          assertFalse(value.contains("..") || value.contains("//"));
          assertFalse(value.startsWith("/") || value.endsWith("/") || value.startsWith("."));
          // the alphabet a name may use, not just the characters the generator favours: any
          // string may hold a lowercase letter or digit outside NAME_CHARS ("5" failed once)
          assertTrue(
              value
                  .chars()
                  .allMatch(
                      c ->
                          (c >= 'a' && c <= 'z')
                              || (c >= '0' && c <= '9')
                              || "._-/".indexOf(c) >= 0),
              value);
        });
    assertEquals(valid, accepts(() -> RepositoryName.of(value)));
  }

  @Property(tries = 2000)
  void referencesRoundTripOrAreRefused(@ForAll("referenceLike") String value) {
    onlyThrows(
        InvalidReferenceException.class,
        () -> {
          Reference r = Reference.parse(value);
          assertEquals(value, r.toString());
          assertEquals(r.isDigest(), value.contains(":"));
          r.tag().ifPresent(t -> assertTrue(Tag.isValid(t.value()) && value.length() <= 128));
        });
  }

  @Provide
  Arbitrary<String> referenceLike() {
    return Arbitraries.oneOf(
        digestLike(),
        Arbitraries.strings().withChars("aZ09_.-:").ofMaxLength(140),
        Arbitraries.strings().all().ofMaxLength(40));
  }

  @Provide
  Arbitrary<byte[]> manifests() {
    return Mutations.inputsLike(
        List.of(
            utf8(SeedDocuments.manifest()),
            utf8(SeedDocuments.index()),
            utf8(SeedDocuments.dockerManifest()),
            SignedSeeds.imageManifest()));
  }

  @Property(tries = 3000)
  void manifestCodecOnlyThrowsInvalidManifest(@ForAll("manifests") byte[] bytes) {
    onlyThrows(
        ManifestCodec.InvalidManifestException.class, () -> ManifestCodec.readManifest(bytes));
    onlyThrows(ManifestCodec.InvalidManifestException.class, () -> ManifestCodec.readIndex(bytes));
    onlyThrows(
        ManifestCodec.InvalidManifestException.class, () -> ManifestCodec.mediaTypeOf(bytes));
  }

  @Property(tries = 1000)
  void aManifestThatReadsWritesBackToTheSameModel(@ForAll("manifests") byte[] bytes) {
    ImageManifest read;
    try {
      read = ManifestCodec.readManifest(bytes);
    } catch (ManifestCodec.InvalidManifestException e) {
      return;
    }
    assertEquals(read, ManifestCodec.readManifest(ManifestCodec.write(read)));
  }

  private static boolean accepts(Runnable r) {
    try {
      r.run();
      return true;
    } catch (InvalidReferenceException e) {
      return false;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
