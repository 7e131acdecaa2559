package io.portcullis.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void embeddedDefaultsServeThePublicRegistriesOnPort5000() {
    GatewayConfig c = ConfigLoader.loadDefault();
    assertEquals(5000, c.server().port());
    assertEquals(Path.of("./data"), c.dataDir());
    assertEquals(3, c.upstreams().size());
    assertEquals("docker.io", c.upstreams().get(0).prefix());
    assertTrue(c.upstreams().get(0).isDockerHub());
    assertEquals(URI.create("https://ghcr.io"), c.upstreams().get(1).url());
    assertEquals("quay.io", c.upstreams().get(2).prefix());
    assertFalse(c.upstreams().stream().anyMatch(UpstreamConfig::push));
  }

  @Test
  void readsTheDocumentedShape() throws IOException {
    Path creds = write("hub", "robot:s3cret\n");
    GatewayConfig c =
        parse(
            """
            server:
              host: 127.0.0.1
              port: 5001
              publicUrl: https://registry.example.com
            upstreams:
              - name: hub
                url: https://registry-1.docker.io
                prefix: docker.io
                credentialsFile: %s
                push: false
              - name: internal
                url: http://127.0.0.1:5100/
                prefix: ""
                push: true
                connectTimeout: 2s
                readTimeout: 5m
            """
                .formatted(creds));
    assertEquals(Optional.of(URI.create("https://registry.example.com")), c.server().publicUrl());
    UpstreamConfig hub = c.upstreams().get(0);
    assertEquals("robot", hub.credentials().orElseThrow().username());
    assertEquals("s3cret", hub.credentials().orElseThrow().password());
    assertFalse(hub.credentials().orElseThrow().toString().contains("s3cret"), "never printed");
    UpstreamConfig internal = c.upstreams().get(1);
    assertEquals(URI.create("http://127.0.0.1:5100"), internal.url());
    assertEquals("", internal.prefix());
    assertTrue(internal.push());
    assertEquals(Duration.ofSeconds(2), internal.connectTimeout());
    assertEquals(Duration.ofMinutes(5), internal.readTimeout());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown top-level key | colour: blue | colour: unknown key 'colour' (known here: admin, audit, auth, cache",
        "unknown upstream key | upstreams: [{name: a, url: 'http://x', prefix: '', pushy: true}] | upstreams[0].pushy: unknown key 'pushy'",
        "unknown server key | 'server: {prot: 1}' | server.prot: unknown key 'prot'",
        "bad url scheme | upstreams: [{name: a, url: 'ftp://x'}] | upstreams[0].url: 'ftp://x' is not an http(s) URL",
        "url with path | upstreams: [{name: a, url: 'http://x/v2'}] | upstreams[0].url: 'http://x/v2' must be a bare origin",
        "missing url | upstreams: [{name: a}] | upstreams[0].url: is required",
        "duplicate prefix | upstreams: [{name: a, url: 'http://x', prefix: p}, {name: b, url: 'http://y', prefix: p}] | upstreams[1].prefix: 'p' is already the prefix of upstream 'a'",
        "duplicate default | upstreams: [{name: a, url: 'http://x'}, {name: b, url: 'http://y'}] | upstreams[1].prefix: '' is already the prefix of upstream 'a'",
        "duplicate name | upstreams: [{name: a, url: 'http://x', prefix: p}, {name: a, url: 'http://y'}] | upstreams[1].name: 'a' is already used",
        "bad prefix | upstreams: [{name: a, url: 'http://x', prefix: 'Bad/'}] | upstreams[0].prefix: 'Bad/' is not a repository path prefix",
        "bad port | 'server: {port: 70000}' | server.port: 70000 is not a port number",
        "port not a number | 'server: {port: abc}' | server.port:",
        "no upstreams | 'server: {port: 1}' | upstreams: at least one upstream registry is required",
        "bad duration | upstreams: [{name: a, url: 'http://x', readTimeout: soon}] | upstreams[0].readTimeout: 'soon' is not a duration",
        "unreadable credentials | upstreams: [{name: a, url: 'http://x', credentialsFile: /nonexistent/creds}] | upstreams[0].credentialsFile: cannot read /nonexistent/creds",
        "unreadable CA | upstreams: [{name: a, url: 'https://x', caFile: /nonexistent/ca.pem}] | upstreams[0].caFile: cannot read /nonexistent/ca.pem",
        "bad public url | 'server: {publicUrl: localhost:5000}' | server.publicUrl: 'localhost:5000' is not an http(s) URL",
        "unprefixed names no upstream | '{routing: {unprefixed: docker.io}, upstreams: [{name: a, url: \"http://x\", prefix: ghcr.io}]}' | routing.unprefixed: no upstream has the prefix 'docker.io' (prefixes: ghcr.io)",
        "unprefixed and a default route | '{routing: {unprefixed: docker.io}, upstreams: [{name: hub, url: \"http://x\", prefix: docker.io}, {name: b, url: \"http://y\"}]}' | routing.unprefixed: upstream 'b' has prefix \"\" and already receives every name that matches no prefix",
        "unprefixed not a prefix | '{routing: {unprefixed: Docker.IO/}, upstreams: [{name: a, url: \"http://x\", prefix: docker.io}]}' | routing.unprefixed: 'Docker.IO/' is not an upstream's prefix",
        "unknown routing key | '{routing: {default: x}, upstreams: [{name: a, url: \"http://x\"}]}' | routing.default: unknown key 'default' (known here: unprefixed)",
      })
  void refusesBadConfigWithAOneLineMessageNamingTheKey(String what, String yaml, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
    assertTrue(e.getMessage().startsWith(expected), () -> what + ": got '" + e.getMessage() + "'");
    assertFalse(e.getMessage().contains("\n"), "one line");
  }

  @Test
  void routingUnprefixedMarksTheUpstreamWithThatPrefix() {
    GatewayConfig c =
        parse(
            """
            routing: {unprefixed: docker.io}
            upstreams:
              - {name: hub, url: 'https://registry-1.docker.io', prefix: docker.io}
              - {name: ghcr, url: 'https://ghcr.io', prefix: ghcr.io}
            """);
    assertTrue(c.upstreams().get(0).unprefixed());
    assertFalse(c.upstreams().get(1).unprefixed());
    assertFalse(ConfigLoader.loadDefault().upstreams().get(0).unprefixed(), "off unless asked");
  }

  @Test
  void malformedCredentialsFileIsRefusedWithoutEchoingIt() throws IOException {
    Path creds = write("creds", "only-a-secret-token");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> parse("upstreams: [{name: a, url: 'http://x', credentialsFile: " + creds + "}]"));
    assertTrue(e.getMessage().contains("must hold one line 'user:password'"));
    assertFalse(e.getMessage().contains("only-a-secret-token"));
  }

  @Test
  void caFileWithoutCertificatesIsRefused() throws IOException {
    Path ca = write("ca.pem", "not a certificate");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> parse("upstreams: [{name: a, url: 'https://x', caFile: " + ca + "}]"));
    assertEquals("upstreams[0].caFile: " + ca + " is not a PEM certificate file", e.getMessage());
  }

  @Test
  void missingFileIsAClearError() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml")));
    assertTrue(e.getMessage().startsWith("cannot read config file"), e.getMessage());
  }

  @Test
  void sigstoreRefreshIntervalDefaultsToSixHoursAndIsBounded() throws IOException {
    String base = withPolicy();
    assertEquals(Duration.ofHours(6), parse(base).policy().orElseThrow().sigstoreRefreshInterval());
    assertEquals(
        Duration.ofMinutes(30),
        parse(base + "sigstore: {refreshInterval: 30m}\n")
            .policy()
            .orElseThrow()
            .sigstoreRefreshInterval());
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> parse(base + "sigstore: {refreshInterval: 10s}\n"));
    assertEquals("sigstore.refreshInterval: must be at least 1m", e.getMessage());
  }

  @Test
  void dctRefreshIntervalDefaultsToThirtySecondsAndIsBounded() throws IOException {
    String base = withPolicy();
    assertEquals(Duration.ofSeconds(30), parse(base).policy().orElseThrow().dctRefreshInterval());
    assertEquals(
        Duration.ofSeconds(2),
        parse(base + "dct: {refreshInterval: 2s}\n").policy().orElseThrow().dctRefreshInterval());
    for (String bad : List.of("500ms", "2h")) {
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> parse(base + "dct: {refreshInterval: " + bad + "}\n"));
      assertEquals("dct.refreshInterval: must be between 1s and 1h", e.getMessage());
    }
  }

  /** An upstream and a policy file: the rest of the config is the test's. */
  private String withPolicy() throws IOException {
    Path policy = write("policy.yaml", "version: 1\npolicies: [{name: d, scopes: ['**']}]\n");
    return "upstreams: [{name: a, url: 'http://x'}]\npolicy: {file: " + policy + "}\n";
  }

  private GatewayConfig parse(String yaml) {
    return ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test");
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
