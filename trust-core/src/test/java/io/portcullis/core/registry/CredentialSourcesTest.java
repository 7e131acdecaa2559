package io.portcullis.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CredentialSourcesTest {
  @TempDir Path dir;

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private DockerConfigCredentials config() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(
        file,
        "{\"auths\":{"
            + "\"https://index.docker.io/v1/\":{\"auth\":\""
            + b64("hubuser:hub:pass")
            + "\"},"
            + "\"registry.example.com:5000\":{\"auth\":\""
            + b64("alice:s3cret")
            + "\"},"
            + "\"https://ghcr.io\":{\"username\":\"bob\",\"password\":\"tok\"},"
            + "\"broken.example\":{\"auth\":\"%%%\"}"
            + "},\"credsStore\":\"desktop\"}");
    return DockerConfigCredentials.read(file);
  }

  @ParameterizedTest
  @CsvSource({
    "docker.io, hubuser, hub:pass",
    "registry.example.com:5000, alice, s3cret",
    "REGISTRY.example.com:5000, alice, s3cret",
    "ghcr.io, bob, tok",
  })
  void findsDockerConfigEntriesByHost(String registry, String user, String password)
      throws Exception {
    Credentials c = config().lookup(registry).orElseThrow();
    assertEquals(user, c.username());
    assertEquals(password, c.password());
  }

  @Test
  void unknownOrUndecodableHostsHaveNoCredentials() throws Exception {
    DockerConfigCredentials config = config();
    assertTrue(config.lookup("registry.example.com").isEmpty(), "port is part of the key");
    assertTrue(config.lookup("broken.example").isEmpty());
  }

  @Test
  void missingConfigMeansAnonymous() {
    assertTrue(DockerConfigCredentials.read(dir.resolve("absent.json")).lookup("x.io").isEmpty());
  }

  @Test
  void malformedConfigErrorDoesNotQuoteTheFile() throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"auths\": {\"h\": {\"auth\": \"c2VjcmV0OnBhc3M=\"");
    Exception e = assertThrows(Exception.class, () -> DockerConfigCredentials.read(file));
    assertFalse(e.getMessage().contains("c2VjcmV0"), e.getMessage());
  }

  @Test
  void credentialsFileHoldsOneUserPasswordLine() throws Exception {
    Path file = dir.resolve("creds");
    Files.writeString(file, "ci-bot:pa:ss\n");
    Credentials c = CredentialsFile.read(file).lookup("any.example").orElseThrow();
    assertEquals("ci-bot", c.username());
    assertEquals("pa:ss", c.password());
  }

  @Test
  void credentialsFileWithoutColonIsRefusedWithoutEchoingIt() throws Exception {
    Path file = dir.resolve("creds");
    Files.writeString(file, "justAPassword\n");
    Exception e = assertThrows(IllegalArgumentException.class, () -> CredentialsFile.read(file));
    assertFalse(e.getMessage().contains("justAPassword"));
  }

  /** The one rule for credentials files, the CLI's and the gateway's upstreams' alike. */
  @org.junit.jupiter.params.ParameterizedTest(name = "[{index}] {0}")
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "'ci-bot:pa:ss' | ci-bot | pa:ss",
        "'ci-bot:pw\\n' | ci-bot | pw",
        "'  ci-bot:pw  \\n\\n' | ci-bot | pw",
        "'justAPassword' | - | -",
        "':pw' | - | -",
        "'user:' | - | -",
        "'user:pw\\nother:pw' | - | -",
        "'' | - | -",
      })
  void oneCredentialsRule(String text, String user, String password) {
    String content = text.replace("\\n", "\n");
    if (user.equals("-")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> CredentialsFile.parse(content));
      assertEquals("must hold one line 'user:password'", e.getMessage());
      return;
    }
    Credentials c = CredentialsFile.parse(content);
    assertEquals(user, c.username());
    assertEquals(password, c.password());
  }

  @Test
  void firstSourceThatKnowsTheHostWins() throws Exception {
    Path file = dir.resolve("creds");
    Files.writeString(file, "fromfile:x");
    CredentialSource chain =
        CredentialSource.firstOf(List.of(CredentialsFile.read(file), config()));
    assertEquals("fromfile", chain.lookup("ghcr.io").orElseThrow().username());
  }

  @Test
  void passwordNeverPrinted() {
    Credentials c = new Credentials("u", "topsecret");
    assertFalse(c.toString().contains("topsecret"));
    assertEquals("Basic " + b64("u:topsecret"), c.basicAuthorization());
  }
}
