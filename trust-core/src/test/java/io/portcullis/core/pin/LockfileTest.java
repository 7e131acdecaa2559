package io.portcullis.core.pin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.core.oci.Tag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LockfileTest {

  static final String A = "sha256:" + "a".repeat(64);
  static final String B = "sha256:" + "b".repeat(64);

  static final String EXAMPLE =
      """
      version: 1
      pins:
        internal/prod/app:
          "1.4": {digest: "%s", pinnedAt: "2026-11-23T10:00:00Z"}
          1.10: {digest: "%s", pinnedBy: ci, comment: "review #12"}
        docker.io/library/alpine:
          "3.20":
            digest: %s
      """
          .formatted(A, B, B);

  @TempDir Path dir;

  @Test
  void looksUpPinnedTags() {
    Lockfile lock = Lockfile.parse(EXAMPLE, "pins.yaml");

    assertEquals(Optional.of(Digest.parse(A)), lock.lookup("internal/prod/app", "1.4"));
    // an unquoted 1.10 is still the tag "1.10", not the number 1.1
    assertEquals(Optional.of(Digest.parse(B)), lock.lookup("internal/prod/app", "1.10"));
    assertEquals(Optional.of(Digest.parse(B)), lock.lookup("docker.io/library/alpine", "3.20"));
    assertEquals(Optional.empty(), lock.lookup("internal/prod/app", "1.1"));
    assertEquals(Optional.empty(), lock.lookup("internal/prod/other", "1.4"));
    assertEquals(Optional.empty(), lock.lookup("not a repo", "not a tag!"));
    assertEquals(
        Optional.of(Instant.parse("2026-11-23T10:00:00Z")),
        lock.pin("internal/prod/app", "1.4").orElseThrow().pinnedAt());
    assertEquals(
        Optional.of("review #12"), lock.pin("internal/prod/app", "1.10").orElseThrow().comment());
    assertEquals(3, lock.size());
  }

  static Stream<Arguments> invalidLockfiles() {
    return Stream.of(
        Arguments.of("", "pins.yaml: the lockfile is empty"),
        Arguments.of("- a\n", "pins.yaml: expected a mapping with 'version' and 'pins'"),
        Arguments.of("pins: {}\n", "pins.yaml: version: missing; expected 1"),
        Arguments.of("version: 2\n", "pins.yaml: version: unsupported version 2"),
        Arguments.of("version: \"1\"\n", "pins.yaml: version: unsupported version \"1\""),
        Arguments.of("version: 1\npinz: {}\n", "pins.yaml: pinz: unknown key 'pinz'"),
        Arguments.of("version: 1\npins: [a]\n", "pins.yaml: pins: expected a mapping"),
        Arguments.of(
            "version: 1\npins:\n  Team/App: {}\n",
            "pins.yaml: pins[\"Team/App\"]: invalid repository path 'Team/App'"),
        Arguments.of(
            "version: 1\npins:\n  localhost:5000/app: {}\n",
            "pins.yaml: pins[\"localhost:5000/app\"]: invalid repository path"),
        Arguments.of(
            "version: 1\npins:\n  team/app: [a]\n",
            "pins.yaml: pins[\"team/app\"]: expected a mapping of tags to pins"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    \"-x\": {digest: \"" + A + "\"}\n",
            "pins.yaml: pins[\"team/app\"][\"-x\"]: invalid tag '-x'"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    \"1\": \"" + A + "\"\n",
            "pins.yaml: pins[\"team/app\"][\"1\"]: expected {digest: \"sha256:...\"}"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    v1: {}\n",
            "pins.yaml: pins[\"team/app\"].v1.digest: missing"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    v1: {digest: \"sha256:abc\"}\n",
            "pins.yaml: pins[\"team/app\"].v1.digest: invalid digest 'sha256:abc'"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    v1: {digest: \"" + A.toUpperCase() + "\"}\n",
            "pins.yaml: pins[\"team/app\"].v1.digest: invalid digest"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    v1: {digest: \"" + A + "\", digests: x}\n",
            "pins.yaml: pins[\"team/app\"].v1.digests: unknown key 'digests'; expected one of"
                + " comment, digest, pinnedAt, pinnedBy"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    v1: {digest: \""
                + A
                + "\", pinnedAt: yesterday}\n",
            "pins.yaml: pins[\"team/app\"].v1.pinnedAt: invalid time 'yesterday'"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    v1: {digest: \"" + A + "\", comment: 12}\n",
            "pins.yaml: pins[\"team/app\"].v1.comment: expected a string"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    v1: {digest: \"" + A + "\", comment: \"a\\nb\"}\n",
            "pins.yaml: pins[\"team/app\"].v1: comment must be one line"),
        Arguments.of(
            "version: 1\npins:\n  team/app:\n    v1: {digest: \""
                + A
                + "\"}\n    v1: {digest: \""
                + B
                + "\"}\n",
            "pins.yaml: not valid YAML at line 5: Duplicate field 'v1'"),
        Arguments.of("version: 1\npins: {a: [}\n", "pins.yaml: not valid YAML at line 2"));
  }

  @ParameterizedTest
  @MethodSource("invalidLockfiles")
  void invalidLockfilesFailWithOneLineNamingTheKey(String yaml, String expected) {
    LockfileException e =
        assertThrows(LockfileException.class, () -> Lockfile.parse(yaml, "pins.yaml"));

    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void writesSortedOneTagPerLineAndReadsBackEqual() {
    Lockfile lock =
        Lockfile.empty()
            .withPin(repo("team/zeta"), Tag.of("v2"), Pin.of(Digest.parse(B)))
            .withPin(
                repo("team/alpha"),
                Tag.of("1.10"),
                Pin.of(Digest.parse(A))
                    .at(Instant.parse("2026-11-23T10:00:00.123Z"))
                    .by("release bot")
                    .withComment("say \"hi\" \\ #not-a-comment ✓"))
            .withPin(repo("team/alpha"), Tag.of("1.9"), Pin.of(Digest.parse(B)))
            .withPin(repo("null"), Tag.of("true"), Pin.of(Digest.parse(A)));

    String yaml = lock.toYaml();

    assertEquals(
        LockfileWriter.HEADER
            + """
            version: 1
            pins:
              "null":
                "true": {digest: "%s"}
              team/alpha:
                "1.10": {digest: "%s", pinnedAt: "2026-11-23T10:00:00Z", pinnedBy: "release bot", comment: "say \\"hi\\" \\\\ #not-a-comment ✓"}
                "1.9": {digest: "%s"}
              team/zeta:
                "v2": {digest: "%s"}
            """
                .formatted(A, A, B, B),
        yaml);
    assertEquals(lock, Lockfile.parse(yaml, "round-trip"));
    assertEquals(yaml, Lockfile.parse(yaml, "round-trip").toYaml());
  }

  @Test
  void emptyLockfileRoundTrips() {
    assertEquals(Lockfile.empty(), Lockfile.parse(Lockfile.empty().toYaml(), "empty"));
    assertEquals(Lockfile.empty(), Lockfile.parse("version: 1\npins:\n", "empty"));
  }

  @Test
  void withPinReplacesAndLeavesTheOriginalAlone() {
    Lockfile before = Lockfile.parse(EXAMPLE, "pins.yaml");

    Lockfile after =
        before.withPin(repo("internal/prod/app"), Tag.of("1.4"), Pin.of(Digest.parse(B)));

    assertNotSame(before, after);
    assertEquals(Optional.of(Digest.parse(A)), before.lookup("internal/prod/app", "1.4"));
    assertEquals(Optional.of(Digest.parse(B)), after.lookup("internal/prod/app", "1.4"));
    assertEquals(before.size(), after.size());
    assertEquals(
        List.of("docker.io/library/alpine:3.20", "internal/prod/app:1.10", "internal/prod/app:1.4"),
        after.entries().stream().map(e -> e.repository() + ":" + e.tag()).toList());
  }

  @Test
  void writeReplacesAtomicallyAndKeepsPermissions() throws IOException {
    Path file = dir.resolve("pins.lock.yaml");
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    Lockfile lock = Lockfile.parse(EXAMPLE, "pins.yaml");

    lock.write(file);

    assertEquals(lock.toYaml(), Files.readString(file));
    assertEquals(lock, Lockfile.load(file));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  void newFileIsReadableByOthers() throws IOException {
    Path file = dir.resolve("new.lock.yaml");

    Lockfile.empty().write(file);

    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void writingThroughASymlinkKeepsTheLink() throws IOException {
    Path real = Files.writeString(dir.resolve("real.yaml"), "old");
    Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), real);

    Lockfile.empty().write(link);

    assertTrue(Files.isSymbolicLink(link));
    assertEquals(Lockfile.empty().toYaml(), Files.readString(real));
  }

  @Test
  void freeTextMustBeOneLine() {
    Pin pin = Pin.of(Digest.parse(A));
    assertThrows(IllegalArgumentException.class, () -> pin.withComment("a\u2028b"));
    assertThrows(IllegalArgumentException.class, () -> pin.by("x\ty"));
    assertThrows(IllegalArgumentException.class, () -> pin.withComment(" "));
  }

  static RepositoryName repo(String name) {
    return RepositoryName.of(name);
  }
}
