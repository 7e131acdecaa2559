package io.portcullis.core.dct;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.testing.Mutations;
import io.portcullis.core.tuf.TufException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Whatever one of a GUN's metadata files is changed into, the verifier either refuses with a {@link
 * TufException} or resolves the tags to exactly the digests their signers published: a change never
 * yields another digest, and never another kind of failure.
 */
class DctMetadataProperties {
  static final String GUN = "registry.corp/app";
  static final byte[] ONE = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
  static final byte[] TWO = "{\"n\":2}".getBytes(StandardCharsets.UTF_8);
  static final List<String> FILES =
      List.of(
          "root.json", "timestamp.json", "snapshot.json", "targets.json", "targets/releases.json");
  static final NotaryRepository REPO = repository();
  static final Path STORES = tempDirectory();

  private static NotaryRepository repository() {
    NotaryRepository repo = new NotaryRepository(GUN);
    repo.targetEntries.put("v1", ONE);
    repo.releaseEntries.put("r1", TWO);
    repo.publish();
    return repo;
  }

  private static Path tempDirectory() {
    try {
      return Files.createTempDirectory("dct-properties-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterContainer
  static void removeStores() throws IOException {
    try (var walk = Files.walk(STORES)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Provide
  Arbitrary<Tuple2<String, byte[]>> changedFiles() {
    return Arbitraries.of(FILES)
        .flatMap(
            name ->
                Mutations.inputsLike(List.of(REPO.files.get(name))).map(b -> Tuple.of(name, b)));
  }

  @Property(tries = 400)
  void aChangedFileIsRefusedOrChangesNothing(@ForAll("changedFiles") Tuple2<String, byte[]> change)
      throws IOException {
    Path store = Files.createTempDirectory(STORES, "s");
    try {
      TrustData data =
          NotaryRepository.verify(
              GUN,
              REPO.remoteWith(change.get1(), change.get2()),
              store,
              new RootTrust.FirstUse(),
              Clock.fixed(NotaryRepository.NOW, ZoneOffset.UTC));
      assertEquals(Digest.sha256(ONE), data.resolve("v1", DctVerifier.DOCKER_ROLES).digest());
      assertEquals(Digest.sha256(TWO), data.resolve("r1", DctVerifier.DOCKER_ROLES).digest());
    } catch (TufException e) {
      // refused: fine
    }
  }
}
