package io.portcullis.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.x509.DevPki;
import io.portcullis.core.x509.PemFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** server.tls, server.shutdownTimeout, admin, logging and the environment overrides. */
class DeploymentConfigTest {
  private static final String UPSTREAMS = "upstreams: [{name: a, url: 'http://127.0.0.1:5100'}]\n";
  @TempDir static Path pki;
  @TempDir Path dir;

  @BeforeAll
  static void makePki() throws IOException {
    DevPki.generate().writeTo(pki, false);
    DevPki other = DevPki.generate();
    PemFiles.writeSecret(pki.resolve("other.key"), PemFiles.privateKey(other.tlsKey()), false);
    DevPki expired =
        DevPki.generate(
            Instant.now().minus(Duration.ofDays(30)), Duration.ofDays(1), DevPki.SIGNER_SUBJECT);
    PemFiles.writePublic(
        pki.resolve("expired.crt"), PemFiles.certificates(List.of(expired.tls())), false);
    PemFiles.writeSecret(pki.resolve("expired.key"), PemFiles.privateKey(expired.tlsKey()), false);
    Files.writeString(pki.resolve("garbage.pem"), "-----BEGIN NOTHING-----\nsecret-ish\n");
  }

  @Test
  void tlsFromTheDevPkiWithClientCertificates() {
    GatewayConfig c =
        parse(
            "server: {port: 5443, tls: {certFile: %s, keyFile: %s, clientCaFile: %s}}\n"
                .formatted(pki("tls.crt"), pki("tls.key"), pki("root.crt")));
    TlsConfig tls = c.server().tls().orElseThrow();
    assertEquals(pki.resolve("tls.crt"), tls.certFile());
    assertEquals(pki.resolve("tls.key"), tls.keyFile());
    assertEquals(Optional.of(pki.resolve("root.crt")), tls.clientCaFile());
    assertEquals(
        Duration.ofSeconds(10), tls.reloadInterval(), "renewed files: looked for each 10s");
    assertEquals("https", c.server().scheme());
  }

  @Test
  void theTlsFilesAreLookedAtEveryReloadInterval() {
    GatewayConfig c =
        parse(
            "server: {port: 5443, tls: {certFile: %s, keyFile: %s, reloadInterval: 250ms}}\n"
                .formatted(pki("tls.crt"), pki("tls.key")));
    assertEquals(Duration.ofMillis(250), c.server().tls().orElseThrow().reloadInterval());
  }

  @Test
  void defaultsArePlainHttpNoAdminTextLogsAndThirtySecondsToDrain() {
    GatewayConfig c = parse("");
    assertEquals(Optional.empty(), c.server().tls());
    assertEquals("http", c.server().scheme());
    assertEquals(Optional.empty(), c.admin());
    assertEquals(LoggingConfig.Format.TEXT, c.logging().format());
    assertEquals(Duration.ofSeconds(30), c.server().shutdownTimeout());
  }

  @Test
  void connectionDeadlinesDefaultToMinutesForBodiesAndSecondsForHeads() {
    GatewayConfig c = parse("");
    assertEquals(Duration.ofSeconds(60), c.server().idleTimeout());
    assertEquals(Duration.ofSeconds(10), c.server().readHeaderTimeout());
    assertEquals(Duration.ofSeconds(60), c.server().bodyStallTimeout());
    GatewayConfig set =
        parse("server: {idleTimeout: 2m, readHeaderTimeout: 5s, bodyStallTimeout: 1500ms}\n");
    assertEquals(Duration.ofMinutes(2), set.server().idleTimeout());
    assertEquals(Duration.ofSeconds(5), set.server().readHeaderTimeout());
    assertEquals(Duration.ofMillis(1500), set.server().bodyStallTimeout());
    assertEquals(set.server().idleTimeout(), set.withPort(0).server().idleTimeout());
  }

  @Test
  void eventLoopsDefaultToOnePerAvailableProcessor() {
    assertEquals(Runtime.getRuntime().availableProcessors(), parse("").server().eventLoops());
    GatewayConfig set = parse("server: {eventLoops: 3}\n");
    assertEquals(3, set.server().eventLoops());
    assertEquals(3, set.withPort(0).server().eventLoops());
  }

  @Test
  void theProxyProtocolIsOffUnlessAsked() {
    assertFalse(parse("").server().proxyProtocol(), "a plain client must reach a lone gateway");
    GatewayConfig set = parse("server: {proxyProtocol: true}\n");
    assertTrue(set.server().proxyProtocol());
    assertTrue(set.withPort(0).server().proxyProtocol());
  }

  @Test
  void theNativeTransportIsUsedUnlessTurnedOff() {
    assertTrue(parse("").server().nativeTransport());
    GatewayConfig off = parse("server: {nativeTransport: false}\n");
    assertFalse(off.server().nativeTransport());
    assertFalse(off.withPort(0).server().nativeTransport());
  }

  @Test
  void adminLoggingAndShutdownTimeout() {
    GatewayConfig c = parse("admin: {}\nlogging: {format: json}\nserver: {shutdownTimeout: 2m}\n");
    assertEquals(Optional.of(new AdminConfig("127.0.0.1", 9095)), c.admin());
    assertEquals(LoggingConfig.Format.JSON, c.logging().format());
    assertEquals(Duration.ofMinutes(2), c.server().shutdownTimeout());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no certFile | server: {tls: {keyFile: KEY}} | server.tls.certFile: is required",
        "no keyFile | server: {tls: {certFile: CRT}} | server.tls.keyFile: is required",
        "unknown tls key | server: {tls: {certFile: CRT, keyFile: KEY, ca: x}} | server.tls.ca: unknown key 'ca'",
        "missing cert | server: {tls: {certFile: /nonexistent/tls.crt, keyFile: KEY}} | server.tls.certFile: cannot read /nonexistent/tls.crt",
        "cert not PEM | server: {tls: {certFile: GARBAGE, keyFile: KEY}} | server.tls.certFile: GARBAGE is not a PEM certificate file",
        "key not PEM | server: {tls: {certFile: CRT, keyFile: GARBAGE}} | server.tls.keyFile: GARBAGE is not a PEM private key",
        "key is a cert | server: {tls: {certFile: CRT, keyFile: CRT}} | server.tls.keyFile: CRT holds no PEM private key",
        "key of another cert | server: {tls: {certFile: CRT, keyFile: OTHER}} | server.tls.keyFile: OTHER is not the private key of the certificate in CRT",
        "expired cert | server: {tls: {certFile: EXPIRED, keyFile: EXPKEY}} | server.tls.certFile: the certificate for O=Portcullis Dev, CN=localhost expired on",
        "short reload interval | server: {tls: {certFile: CRT, keyFile: KEY, reloadInterval: 50ms}} | server.tls.reloadInterval: must be at least 100ms",
        "bad reload interval | server: {tls: {certFile: CRT, keyFile: KEY, reloadInterval: often}} | server.tls.reloadInterval: 'often' is not a duration",
        "client CA not PEM | server: {tls: {certFile: CRT, keyFile: KEY, clientCaFile: GARBAGE}} | server.tls.clientCaFile: GARBAGE is not a PEM certificate file",
        "bad shutdown timeout | server: {shutdownTimeout: forever} | server.shutdownTimeout: 'forever' is not a duration",
        "long shutdown timeout | server: {shutdownTimeout: 1h} | server.shutdownTimeout: at most 10m",
        "bad idle timeout | server: {idleTimeout: soon} | server.idleTimeout: 'soon' is not a duration",
        "zero idle timeout | server: {idleTimeout: 0s} | server.idleTimeout: 0s is not between 1s and 1h",
        "short head timeout | server: {readHeaderTimeout: 500ms} | server.readHeaderTimeout: 500ms is not between 1s and 1h",
        "long stall timeout | server: {bodyStallTimeout: 2h} | server.bodyStallTimeout: 2h is not between 1s and 1h",
        "no event loop | server: {eventLoops: 0} | server.eventLoops: 0 is not between 1 and 256",
        "negative event loops | server: {eventLoops: -2} | server.eventLoops: -2 is not between 1 and 256",
        "too many event loops | server: {eventLoops: 100000} | server.eventLoops: 100000 is not between 1 and 256",
        "bad admin port | admin: {port: 99999} | admin.port: 99999 is not a port number",
        "unknown admin key | admin: {path: /x} | admin.path: unknown key 'path'",
        "bad log format | logging: {format: xml} | logging.format: 'xml' is not one of: text, json",
      })
  void refusesBadDeploymentConfigWithAOneLineMessageNamingTheKey(
      String what, String yaml, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(paths(yaml) + "\n"));
    assertTrue(
        e.getMessage().startsWith(paths(expected)), () -> what + ": got '" + e.getMessage() + "'");
    assertFalse(e.getMessage().contains("\n"), "one line");
    assertFalse(e.getMessage().contains("PRIVATE KEY"), "never echoes key material");
    assertFalse(e.getMessage().contains("secret-ish"), "never echoes file content");
  }

  @Test
  void environmentOverridesNonSecretSettings() {
    Map<String, String> env =
        Map.ofEntries(
            Map.entry("PORTCULLIS_SERVER_PORT", "6000"),
            Map.entry("PORTCULLIS_SERVER_HOST", "127.0.0.2"),
            Map.entry("PORTCULLIS_DATADIR", "/var/lib/portcullis"),
            Map.entry("PORTCULLIS_ADMIN_PORT", "9100"),
            Map.entry("PORTCULLIS_LOG_FORMAT", "json"),
            Map.entry("PORTCULLIS_TLS_CERT_FILE", pki("tls.crt")),
            Map.entry("PORTCULLIS_TLS_KEY_FILE", pki("tls.key")),
            Map.entry("PORTCULLIS_TLS_RELOAD_INTERVAL", "1m"),
            Map.entry("PORTCULLIS_SERVER_SHUTDOWN_TIMEOUT", "5s"),
            Map.entry("PORTCULLIS_SERVER_IDLE_TIMEOUT", "90s"),
            Map.entry("PORTCULLIS_SERVER_READ_HEADER_TIMEOUT", "3s"),
            Map.entry("PORTCULLIS_SERVER_BODY_STALL_TIMEOUT", "2m"),
            Map.entry("PORTCULLIS_SERVER_EVENT_LOOPS", "5"),
            Map.entry("UNRELATED", "x"));
    GatewayConfig c =
        ConfigLoader.parse(
            ("server: {port: 5000, host: 0.0.0.0}\ndataDir: ./data\nlogging: {format: text}\n"
                    + UPSTREAMS)
                .getBytes(StandardCharsets.UTF_8),
            "test",
            env);
    assertEquals(6000, c.server().port());
    assertEquals("127.0.0.2", c.server().host());
    assertEquals(Path.of("/var/lib/portcullis"), c.dataDir());
    assertEquals(Optional.of(new AdminConfig("127.0.0.1", 9100)), c.admin());
    assertEquals(LoggingConfig.Format.JSON, c.logging().format());
    assertEquals(pki.resolve("tls.crt"), c.server().tls().orElseThrow().certFile());
    assertEquals(Duration.ofMinutes(1), c.server().tls().orElseThrow().reloadInterval());
    assertEquals(Duration.ofSeconds(5), c.server().shutdownTimeout());
    assertEquals(Duration.ofSeconds(90), c.server().idleTimeout());
    assertEquals(Duration.ofSeconds(3), c.server().readHeaderTimeout());
    assertEquals(Duration.ofMinutes(2), c.server().bodyStallTimeout());
    assertEquals(5, c.server().eventLoops());
  }

  @Test
  void withoutEnvironmentTheFileStands() {
    GatewayConfig c = parse("server: {port: 5001}\n");
    assertEquals(5001, c.server().port());
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "PORTCULLIS_SERVER_PORT | abc | PORTCULLIS_SERVER_PORT: 'abc' is not a number (it sets server.port)",
        "PORTCULLIS_SERVER_EVENT_LOOPS | many | PORTCULLIS_SERVER_EVENT_LOOPS: 'many' is not a number (it sets server.eventLoops)",
        "PORTCULLIS_ADMIN_PORT | 70000 | admin.port: 70000 is not a port number",
        "PORTCULLIS_LOG_FORMAT | yaml | logging.format: 'yaml' is not one of: text, json",
      })
  void badEnvironmentValuesNameTheVariableOrKey(String variable, String value, String expected) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.parse(
                    UPSTREAMS.getBytes(StandardCharsets.UTF_8), "test", Map.of(variable, value)));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }

  @Test
  void everyVariableIsDocumentedInTheReadme() throws IOException {
    String readme =
        Files.readString(
            Path.of(System.getProperty("user.dir")).getParent().resolve("README.md"),
            StandardCharsets.UTF_8);
    for (EnvOverrides.Variable v : EnvOverrides.VARIABLES) {
      assertTrue(
          readme.contains("`" + v.name() + "`") && readme.contains(v.keyPath()),
          v.name() + " is documented with its key " + v.keyPath());
    }
  }

  private static String pki(String name) {
    return pki.resolve(name).toString();
  }

  private static String paths(String text) {
    return text.replace("EXPKEY", pki("expired.key"))
        .replace("EXPIRED", pki("expired.crt"))
        .replace("OTHER", pki("other.key"))
        .replace("GARBAGE", pki("garbage.pem"))
        .replace("CRT", pki("tls.crt"))
        .replace("KEY", pki("tls.key"));
  }

  private static GatewayConfig parse(String yaml) {
    return ConfigLoader.parse((yaml + UPSTREAMS).getBytes(StandardCharsets.UTF_8), "test");
  }
}
