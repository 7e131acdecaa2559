package io.portcullis.core.pin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ReferenceRewriterTest {

  static final Digest A = digest('a');
  static final Digest B = digest('b');
  static final Digest C = digest('c');
  static final Digest D = digest('d');

  /** What the fake registry holds; anything else is "not found". */
  static final Map<String, Digest> REGISTRY =
      Map.of(
          "docker.io/library/alpine:3.20", A,
          "docker.io/library/alpine:latest", B,
          "docker.io/library/golang:1.22", C,
          "docker.io/library/busybox:1.36", C,
          "registry.example.com:5000/team/app:1.4", D,
          "docker.io/library/postgres:16", digest('e'),
          "docker.io/library/redis:7", digest('f'));

  final List<String> asked = new ArrayList<>();
  final TagResolver registry =
      image -> {
        asked.add(image.toString());
        return Optional.ofNullable(REGISTRY.get(image.toString()));
      };

  static Digest digest(char c) {
    return Digest.parse("sha256:" + String.valueOf(c).repeat(64));
  }

  static String resource(String name) {
    try (InputStream in = ReferenceRewriterTest.class.getResourceAsStream("/pin/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  RewriteResult rewrite(FileKind kind, String content) {
    return new ReferenceRewriter(registry, false).rewrite(kind, content);
  }

  static List<String> lines(List<Note> notes) {
    return notes.stream().map(n -> n.line() + " " + n.reference()).toList();
  }

  @Test
  void multiStageDockerfile() {
    RewriteResult result = rewrite(FileKind.DOCKERFILE, resource("multistage.Dockerfile"));

    assertEquals(resource("multistage.Dockerfile.expected"), result.rewritten());
    assertEquals(
        List.of(
            new Change(6, "golang:1.22", "golang:1.22@sha256:" + C.hex()),
            new Change(24, "alpine", "alpine:latest@sha256:" + B.hex()),
            new Change(
                28,
                "registry.example.com:5000/team/app:1.4",
                "registry.example.com:5000/team/app:1.4@" + D)),
        result.changes());
    // stage names (build), scratch and the here-document's FROM are not images at all
    assertEquals(
        List.of("14 golang:${GO_VERSION}", "15 ${BASE}", "27 alpine:3.20@sha256:" + A.hex()),
        lines(result.notes()));
    assertTrue(result.complete());
    assertFalse(asked.contains("docker.io/library/busybox:1.36"), asked.toString());
    assertFalse(asked.stream().anyMatch(a -> a.contains("build")), asked.toString());
  }

  @Test
  void composeQuotedAndPlainImages() {
    RewriteResult result = rewrite(FileKind.COMPOSE, resource("compose.yaml"));

    assertEquals(resource("compose.yaml.expected"), result.rewritten());
    assertEquals(List.of(3, 11, 15, 20, 22), result.changes().stream().map(Change::line).toList());
    assertEquals(
        List.of("17 ${WORKER_IMAGE:-alpine:3.20}", "19 alpine:3.20@sha256:" + A.hex()),
        lines(result.notes()));
  }

  @Test
  void kubernetesMultiDocumentWithInitAndEphemeralContainers() {
    RewriteResult result = rewrite(FileKind.KUBERNETES, resource("multidoc.k8s.yaml"));

    assertEquals(resource("multidoc.k8s.yaml.expected"), result.rewritten());
    // env values and annotations named image are not container images
    assertEquals(List.of(9, 12, 28, 31, 42), result.changes().stream().map(Change::line).toList());
    assertEquals(List.of("44 alpine:3.20@sha256:" + A.hex()), lines(result.notes()));
  }

  @ParameterizedTest
  @CsvSource({
    "DOCKERFILE, multistage.Dockerfile",
    "COMPOSE, compose.yaml",
    "KUBERNETES, multidoc.k8s.yaml"
  })
  void crlfLineEndingsAreKept(FileKind kind, String name) {
    String crlf = resource(name).replace("\n", "\r\n");

    RewriteResult result = rewrite(kind, crlf);

    assertEquals(resource(name + ".expected").replace("\n", "\r\n"), result.rewritten());
    assertEquals(rewrite(kind, resource(name)).changes(), result.changes());
  }

  @Test
  void escapeDirectiveChangesTheContinuationCharacter() {
    String dockerfile =
        "# escape=`\nFROM alpine:3.20 `\n  AS base\nRUN echo done \\\nFROM alpine:3.20\n";

    RewriteResult result = rewrite(FileKind.DOCKERFILE, dockerfile);

    // with ` as escape, the backslash does not continue RUN, so line 5 is an instruction
    assertEquals(List.of(2, 5), result.changes().stream().map(Change::line).toList());
  }

  @Test
  void alreadyPinnedReferencesAreCheckedOnlyWithUpdate() {
    String compose =
        "services:\n"
            + "  moved:\n    image: alpine:3.20@"
            + B
            + "\n"
            + "  current:\n    image: alpine:3.20@"
            + A
            + "\n"
            + "  digest-only:\n    image: alpine@"
            + B
            + "\n";

    RewriteResult quiet = rewrite(FileKind.COMPOSE, compose);
    assertEquals(compose, quiet.rewritten());
    assertTrue(asked.isEmpty(), asked.toString());

    RewriteResult updated =
        new ReferenceRewriter(registry, true).rewrite(FileKind.COMPOSE, compose);
    assertEquals(List.of(new Change(3, "alpine:3.20@" + B, "alpine:3.20@" + A)), updated.changes());
    assertEquals(compose.replaceFirst("@" + B, "@" + A), updated.rewritten());
    assertEquals(
        List.of("pin is current", "pinned by digest alone; no tag to check"),
        updated.notes().stream().map(Note::message).toList());
  }

  @Test
  void unknownTagIsAFailureAndThatReferenceStays() {
    String dockerfile = "FROM alpine:3.20\nFROM alpine:no-such-tag\n";

    RewriteResult result = rewrite(FileKind.DOCKERFILE, dockerfile);

    assertFalse(result.complete());
    assertEquals(
        List.of(
            new Note(
                2, "alpine:no-such-tag", "tag not found: docker.io/library/alpine:no-such-tag")),
        result.failures());
    assertTrue(result.rewritten().endsWith("FROM alpine:no-such-tag\n"));
  }

  static Stream<Arguments> notRewritableInPlace() {
    String head = "containers:\n  - name: a\n    image: ";
    return Stream.of(
        Arguments.of(head + ">-\n      alpine:3.20\n", "cannot rewrite in place"),
        Arguments.of(head + "\"alpine:3.\\x32\\x30\"\n", "cannot rewrite in place"),
        Arguments.of(head + "alpine:3.20\n      --\n", "cannot rewrite in place"),
        Arguments.of(head + "Alpine:3.20\n", "not a valid image reference"),
        Arguments.of("containers: [\n", "not valid YAML"));
  }

  @ParameterizedTest
  @MethodSource("notRewritableInPlace")
  void valuesThatCannotBeRewrittenInPlaceAreFailures(String yaml, String message) {
    String k8s = yaml;

    RewriteResult result = rewrite(FileKind.KUBERNETES, k8s);

    assertEquals(k8s, result.rewritten());
    assertEquals(1, result.failures().size(), result.toString());
    assertTrue(result.failures().get(0).message().startsWith(message), result.toString());
  }

  @Test
  void anchoredAndTaggedValuesAreFoundAfterTheirProperties() {
    String k8s =
        "containers:\n  - name: a\n    image: &img !!str alpine:3.20\n  - name: b\n    image: *img\n";

    RewriteResult result = rewrite(FileKind.KUBERNETES, k8s);

    assertEquals(k8s.replace("!!str alpine:3.20", "!!str alpine:3.20@" + A), result.rewritten());
    assertEquals(List.of("5 *img"), lines(result.notes()));
  }

  @Test
  void resolvesEachReferenceAsNormalisedAndKeepsTheTextAsWritten() {
    rewrite(FileKind.DOCKERFILE, "FROM library/alpine:3.20\nFROM docker.io/alpine:3.20\n");

    assertEquals(List.of("docker.io/library/alpine:3.20", "docker.io/library/alpine:3.20"), asked);
  }

  @ParameterizedTest
  @CsvSource({
    "Dockerfile, '', DOCKERFILE",
    "Containerfile, '', DOCKERFILE",
    "build.Dockerfile, '', DOCKERFILE",
    "Dockerfile.prod, '', DOCKERFILE",
    "compose.yaml, '', COMPOSE",
    "docker-compose.override.yml, '', COMPOSE",
    "app.yaml, 'apiVersion: v1\nkind: Pod', KUBERNETES",
    "stack.yml, '# demo\nservices:\n  a: {}', COMPOSE",
  })
  void detectsKindFromNameThenContent(String name, String content, FileKind kind) {
    assertEquals(Optional.of(kind), FileKind.detect(name, content.replace("\\n", "\n")));
  }

  @Test
  void undetectableKindIsEmpty() {
    assertEquals(Optional.empty(), FileKind.detect("notes.txt", "FROM alpine"));
    assertEquals(Optional.empty(), FileKind.detect("values.yaml", "image: alpine"));
  }
}
