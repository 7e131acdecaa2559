package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code pin}'s argument handling and exit codes that need no registry. */
class PinCommandTest {

  @TempDir Path dir;

  @Test
  void hasHelp() {
    CliRun run = CliRun.of("pin", "--help");
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().startsWith("Usage: portcullis-signer pin"), run.toString());
    assertTrue(run.out().contains("--rewrite"), run.toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "pin | Missing required parameter: 'IMAGE|FILE'",
        "pin --rewrite --lockfile x.yaml Dockerfile | --lockfile is for pinning IMAGEs",
        "pin --rewrite --comment hi Dockerfile | --comment is not used with --rewrite",
        "pin --kind dockerfile reg.example/app:1 | --kind is for --rewrite",
        "pin --update reg.example/app:1 | --update is for --rewrite",
        "pin --repository-path a/b reg.example/a:1 reg.example/b:1 | exactly one IMAGE",
        "pin --repository-path A/B reg.example/a:1 | invalid --repository-path",
        "pin reg.example/App:1 | invalid IMAGE 'reg.example/App:1'",
        "pin reg.example/app@sha256:0000000000000000000000000000000000000000000000000000000000000000"
            + " | has no tag to pin",
        "pin --rewrite --kind helm Dockerfile | --kind: unknown file kind 'helm'",
        "pin --rewrite /nonexistent/Dockerfile | no such file: /nonexistent/Dockerfile",
      })
  void badArgumentsAreUsageErrorsOnOneLine(String args, String message) {
    CliRun run = CliRun.of(args.strip().split(" "));
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.err().contains(message), run.toString());
    assertEquals(1, run.errLines(), run.toString());
  }

  @Test
  void undetectableFileKindAsksForKind() throws IOException {
    Path notes = Files.writeString(dir.resolve("notes.txt"), "FROM alpine:3.20\n");
    CliRun run = CliRun.of("pin", "--rewrite", notes.toString());
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.err().contains("give --kind"), run.toString());
  }

  @Test
  void nonUtf8FilesAreRefusedUntouched() throws IOException {
    byte[] latin1 =
        "# caf\u00e9\nFROM alpine:3.20\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    Path file = Files.write(dir.resolve("Dockerfile"), latin1);
    CliRun run = CliRun.of("pin", "--rewrite", file.toString());
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.err().contains("is not UTF-8 text"), run.toString());
    assertArrayEquals(latin1, Files.readAllBytes(file));
  }

  @Test
  void invalidLockfileIsAUsageErrorNamingTheKey() throws IOException {
    Path lock =
        Files.writeString(
            dir.resolve("pins.yaml"), "version: 1\npins:\n  team/app:\n    v1: {digest: nope}\n");
    CliRun run = CliRun.of("pin", "--lockfile", lock.toString(), "reg.example/team/app:v1");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(
        run.err().contains("pins[\"team/app\"].v1.digest: invalid digest 'nope'"), run.toString());
    assertEquals(1, run.errLines(), run.toString());
  }

  @Test
  void unreachableRegistryExitsThreeAndWritesNothing() throws IOException {
    String down = "127.0.0.1:" + FreePorts.loopback();
    Path dockerfile = Files.writeString(dir.resolve("Dockerfile"), "FROM " + down + "/app:1\n");
    Path lock = dir.resolve("pins.yaml");

    CliRun rewrite =
        CliRun.of("pin", "--rewrite", "--insecure-registry", down, dockerfile.toString());
    CliRun pin =
        CliRun.of(
            "pin", "--insecure-registry", down, "--lockfile", lock.toString(), down + "/app:1");

    assertEquals(ExitCodes.COULD_NOT_VERIFY, rewrite.exitCode(), rewrite.toString());
    assertEquals("FROM " + down + "/app:1\n", Files.readString(dockerfile));
    assertEquals(ExitCodes.COULD_NOT_VERIFY, pin.exitCode(), pin.toString());
    assertFalse(Files.exists(lock));
    assertEquals(1, pin.errLines(), pin.toString());
  }
}
