package io.portcullis.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.auth.TokenKey;
import io.portcullis.gateway.config.Htpasswd;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code htpasswd} and {@code token-key}, in-process through {@link Main} as the jar runs them. */
class SecretCommandsTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private Run run(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    HtpasswdCommand htpasswd = cli.getSubcommands().get("htpasswd").getCommand();
    htpasswd.in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The printed line, read back the way the gateway reads {@code auth.htpasswdFile}. */
  private String hashOf(Run run, String user) throws IOException {
    assertEquals(0, run.code(), run.err());
    Path file = Files.writeString(dir.resolve("htpasswd"), run.out());
    Map<String, String> users = Htpasswd.read(file, "auth.htpasswdFile");
    assertEquals(java.util.Set.of(user), users.keySet());
    return users.get(user);
  }

  @Test
  void hashesThePasswordFromStandardInputWithoutEchoingIt() throws IOException {
    Run run = run("s3cret pass\nsecond line\n", "htpasswd", "ci");
    String hash = hashOf(run, "ci");
    assertTrue(OpenBSDBCrypt.checkPassword(hash, "s3cret pass".toCharArray()));
    assertFalse(OpenBSDBCrypt.checkPassword(hash, "s3cret pass\nsecond line".toCharArray()));
    assertFalse(run.out().contains("s3cret") || run.err().contains("s3cret"));
  }

  @Test
  void readsThePasswordFile() throws IOException {
    Path secret = Files.writeString(dir.resolve("pw"), "from-a-file\n");
    String hash = hashOf(run("", "htpasswd", "--password-file", secret.toString(), "gw"), "gw");
    assertTrue(OpenBSDBCrypt.checkPassword(hash, "from-a-file".toCharArray()));
  }

  @Test
  void eachLineHasItsOwnSalt() throws IOException {
    String first = hashOf(run("same\n", "htpasswd", "ci"), "ci");
    String second = hashOf(run("same\n", "htpasswd", "ci"), "ci");
    assertFalse(first.equals(second));
  }

  @Test
  void refusesPasswordsLongerThanBcryptReads() throws IOException {
    String max = "x".repeat(HtpasswdCommand.MAX_PASSWORD_BYTES);
    assertTrue(
        OpenBSDBCrypt.checkPassword(hashOf(run(max, "htpasswd", "ci"), "ci"), max.toCharArray()));

    Run ascii = run(max + "y", "htpasswd", "ci");
    assertEquals(HtpasswdCommand.USAGE, ascii.code());
    assertEquals("", ascii.out());
    assertTrue(ascii.err().contains("longer than 72 bytes"), ascii.err());
    // 25 euro signs are 25 characters but 75 bytes
    Run multibyte = run("€".repeat(25), "htpasswd", "ci");
    assertEquals(HtpasswdCommand.USAGE, multibyte.code());
    assertEquals("", multibyte.out());
  }

  @Test
  void refusesMissingPasswordsAndBadNames() {
    Run empty = run("", "htpasswd", "ci");
    assertEquals(HtpasswdCommand.USAGE, empty.code());
    assertTrue(empty.err().startsWith("htpasswd: no password given"), empty.err());
    Run blankLine = run("\n", "htpasswd", "ci");
    assertEquals(HtpasswdCommand.USAGE, blankLine.code());
    assertTrue(blankLine.err().contains("empty"), blankLine.err());
    for (String bad : new String[] {"a:b", "with space", "tab\tname", ""}) {
      Run run = run("pw\n", "htpasswd", bad);
      assertEquals(HtpasswdCommand.USAGE, run.code(), bad);
      assertEquals("", run.out(), bad);
    }
    Run unreadable = run("", "htpasswd", "--password-file", dir.resolve("none").toString(), "ci");
    assertEquals(HtpasswdCommand.USAGE, unreadable.code());
    assertTrue(unreadable.err().startsWith("htpasswd: cannot read the password"), unreadable.err());
  }

  @Test
  void tokenKeyWritesAPrivateKeyTheGatewayLoadsAndNeverOverwrites() throws IOException {
    Path file = dir.resolve("secrets/token-key.pem");
    Run made = run("", "token-key", file.toString());
    assertEquals(0, made.code(), made.err());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(TokenKey.loadOrCreate(file).kid(), made.out().strip());

    String before = Files.readString(file);
    Run again = run("", "token-key", file.toString());
    assertEquals(TokenKeyCommand.EXISTS, again.code());
    assertTrue(again.err().contains("exists"), again.err());
    assertEquals(before, Files.readString(file));
    assertFalse(again.err().contains("PRIVATE"));
  }
}
