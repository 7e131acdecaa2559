package io.portcullis.core.tuf;

import io.portcullis.core.testing.Mutations;
import io.portcullis.core.tuf.TestRepository.Key;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The TUF metadata parsers read what any mirror serves: over mutated metadata (signed here by keys
 * made for the test) and arbitrary bytes each returns or refuses with {@link
 * TufException.Malformed} (or, for a root's own signatures, {@link TufException.ThresholdNotMet}),
 * never another exception.
 */
class TufMetadataProperties {
  private static final Key KEY = TestRepository.ecdsa("k");
  private static final byte[] TARGETS =
      TestRepository.sign(TestRepository.targets(3, Map.of("a/b.txt", new byte[] {1, 2})), KEY);
  private static final byte[] SNAPSHOT =
      TestRepository.sign(TestRepository.snapshot(2, TARGETS, 3), KEY);
  private static final byte[] TIMESTAMP =
      TestRepository.sign(TestRepository.timestamp(1, SNAPSHOT, 2), KEY);
  private static final byte[] ROOT =
      TestRepository.sign(
          TestRepository.root(
              1,
              1,
              Map.of(
                  "root",
                  List.of(KEY),
                  "timestamp",
                  List.of(KEY),
                  "snapshot",
                  List.of(KEY),
                  "targets",
                  List.of(KEY))),
          KEY);

  /** Thrown inside the check to say "refused the documented way". */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private static void onlyRefuses(Callable<?> parse) {
    Mutations.onlyThrows(
        Refused.class,
        () -> {
          try {
            parse.call();
          } catch (TufException.Malformed | TufException.ThresholdNotMet e) {
            throw new Refused();
          } catch (Exception e) {
            throw new AssertionError("undocumented failure: " + e, e);
          }
        });
  }

  @Provide
  Arbitrary<byte[]> roots() {
    return Mutations.inputsLike(List.of(ROOT));
  }

  @Property(tries = 1000)
  void roots(@ForAll("roots") byte[] bytes) {
    onlyRefuses(
        () -> {
          RootMetadata root = RootMetadata.parse("root.json", bytes, TufFormat.TUF);
          root.verify("root", root.metadata());
          return root;
        });
  }

  @Provide
  Arbitrary<byte[]> roles() {
    return Mutations.inputsLike(List.of(TIMESTAMP, SNAPSHOT, TARGETS));
  }

  @Property(tries = 2000)
  void timestampSnapshotAndTargets(@ForAll("roles") byte[] bytes) {
    onlyRefuses(() -> TimestampMetadata.parse("timestamp.json", bytes, TufFormat.TUF));
    onlyRefuses(() -> SnapshotMetadata.parse("snapshot.json", bytes, TufFormat.TUF));
    onlyRefuses(() -> TargetsMetadata.parse("targets.json", bytes, "targets", TufFormat.TUF));
  }
}
