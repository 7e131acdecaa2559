package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway jar as operators run it: JSON log lines carrying request ids, environment overrides,
 * the {@code healthcheck} command, one-line config errors with exit code 2, and a graceful shutdown
 * on SIGTERM that stops accepting, reports not-ready and lets a transfer in flight finish.
 */
class OperationsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static RegistryProcess registry;
  static LargeBlob blob;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry");
    registry = RegistryProcess.start();
    // Large enough that socket buffers cannot hold it: the transfer is really in flight.
    blob = LargeBlob.of(192L * 1024 * 1024, 8);
    blob.upload(Http.CLIENT, registry.url(), "ops/blob");
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  @Test
  void jsonLogLinesCarryRequestIdsAndTheEnvironmentOverridesTheFile() throws Exception {
    int port = FreePorts.loopback();
    int admin = FreePorts.loopback();
    String yaml =
        """
        server: {host: 127.0.0.1, port: 1}
        dataDir: %s
        logging: {format: text}
        upstreams:
          - {name: internal, url: '%s', prefix: ''}
        """
            .formatted(dir.resolve("json/data"), registry.url());
    try (GatewayProcess gateway =
        GatewayProcess.start(
            dir.resolve("json"),
            yaml,
            port,
            Map.of(
                "PORTCULLIS_SERVER_PORT", Integer.toString(port),
                "PORTCULLIS_LOG_FORMAT", "json",
                "PORTCULLIS_ADMIN_PORT", Integer.toString(admin)))) {
      HttpResponse<String> r =
          Http.get(gateway.url() + "/v2/ops/nothing/manifests/v1", "X-Request-Id", "ops-it-1");
      assertEquals(404, r.statusCode());
      assertEquals("ops-it-1", r.headers().firstValue("X-Request-Id").orElseThrow());
      assertEquals(200, Http.get("http://127.0.0.1:" + admin + "/readyz").statusCode());

      List<JsonNode> lines = awaitLogLine(gateway, "ops-it-1");
      for (JsonNode line : lines) {
        assertTrue(line.has("level") && line.has("timestamp") && line.has("loggerName"), "" + line);
      }
      assertTrue(
          lines.stream()
              .anyMatch(l -> l.path("formattedMessage").asText().contains("listening on http://")),
          "start-up line is JSON too");
      JsonNode access =
          lines.stream()
              .filter(l -> "io.portcullis.access".equals(l.path("loggerName").asText()))
              .filter(l -> l.toString().contains("ops-it-1"))
              .findFirst()
              .orElseThrow();
      assertEquals("ops-it-1", kv(access, "requestId"));
      assertEquals("404", kv(access, "status"));
      assertEquals("manifest", kv(access, "route"));

      assertEquals(0, healthcheck("http://127.0.0.1:" + admin + "/readyz"));
    }
    assertEquals(1, healthcheck("http://127.0.0.1:" + admin + "/readyz"), "gone: unhealthy");
  }

  @Test
  void sigtermStopsAcceptingReportsNotReadyAndLetsTheTransferInFlightFinish() throws Exception {
    int port = FreePorts.loopback();
    int admin = FreePorts.loopback();
    String yaml =
        """
        server: {host: 127.0.0.1, port: %d, shutdownTimeout: 60s}
        admin: {host: 127.0.0.1, port: %d}
        dataDir: %s
        upstreams:
          - {name: internal, url: '%s', prefix: ''}
        """
            .formatted(port, admin, dir.resolve("drain/data"), registry.url());
    GatewayProcess gateway = GatewayProcess.start(dir.resolve("drain"), yaml, port, "-Xmx128m");
    try {
      HttpClient slowReader = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<InputStream> transfer =
          slowReader.send(
              HttpRequest.newBuilder(
                      URI.create(gateway.url() + "/v2/ops/blob/blobs/" + blob.digest()))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, transfer.statusCode());
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      long received = 0;
      try (InputStream in = transfer.body()) {
        byte[] buf = new byte[64 * 1024];
        while (received < 1024 * 1024) {
          int n = in.read(buf);
          sha256.update(buf, 0, n);
          received += n;
        }

        gateway.terminate();
        awaitStatus("http://127.0.0.1:" + admin + "/readyz", 503);
        HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertThrows(
            IOException.class,
            () ->
                fresh.send(
                    HttpRequest.newBuilder(URI.create(gateway.url() + "/v2/")).build(),
                    HttpResponse.BodyHandlers.discarding()),
            "no new connections once shutdown began");
        assertTrue(gateway.isAlive(), "still draining");

        for (int n; (n = in.read(buf)) > 0; ) {
          sha256.update(buf, 0, n);
          received += n;
        }
      }
      assertEquals(blob.size(), received, "the whole blob arrived");
      assertEquals(blob.digest().toString(), "sha256:" + HexFormat.of().formatHex(sha256.digest()));
      assertTrue(gateway.awaitExit(Duration.ofSeconds(30)), "exits once drained");
      assertFalse(gateway.log().contains("without a clean close"), gateway.log());
      // The fill under way at SIGTERM is committed during the shutdown: a restart serves it.
      assertFalse(gateway.log().contains("could not store"), gateway.log());
      Path cached = dir.resolve("drain/data/cache/blobs/sha256/" + blob.digest().hex());
      assertEquals(blob.size(), Files.size(cached), "the fill reached the cache");
    } finally {
      gateway.close();
    }
  }

  /**
   * A transfer that cannot finish within {@code shutdownTimeout} (its client stopped reading) is
   * cut off short when the gateway exits: the client sees a broken body, never a clean end with
   * bytes missing.
   */
  @Test
  void aTransferStillGoingAtTheShutdownDeadlineEndsBrokenNeverClean() throws Exception {
    int port = FreePorts.loopback();
    String yaml =
        """
        server: {host: 127.0.0.1, port: %d, shutdownTimeout: 1s}
        dataDir: %s
        upstreams:
          - {name: internal, url: '%s', prefix: ''}
        """
            .formatted(port, dir.resolve("deadline/data"), registry.url());
    GatewayProcess gateway = GatewayProcess.start(dir.resolve("deadline"), yaml, port);
    try {
      HttpClient stalled = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<InputStream> transfer =
          stalled.send(
              HttpRequest.newBuilder(
                      URI.create(gateway.url() + "/v2/ops/blob/blobs/" + blob.digest()))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, transfer.statusCode());
      try (InputStream in = transfer.body()) {
        assertTrue(in.readNBytes(1024 * 1024).length > 0, "the transfer is under way");
        gateway.terminate();
        assertTrue(gateway.awaitExit(Duration.ofSeconds(30)), "exits at the deadline");
        long[] received = {1024 * 1024};
        assertThrows(
            IOException.class,
            () -> {
              byte[] buf = new byte[64 * 1024];
              for (int n; (n = in.read(buf)) > 0; ) {
                received[0] += n;
              }
            },
            "a body cut short is an error for the client");
        assertTrue(received[0] < blob.size(), "cut short: " + received[0]);
      }
    } finally {
      gateway.close();
    }
  }

  @Test
  void badConfigurationExitsTwoWithOneLineNamingTheKey() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(
        config,
        """
        server: {tls: {certFile: /nonexistent/tls.crt, keyFile: /nonexistent/tls.key}}
        upstreams: [{name: a, url: 'http://127.0.0.1:1'}]
        """);
    CommandResult r = GatewayProcess.run(dir, "--config", config.toString());
    assertEquals(2, r.exitCode());
    assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
    assertTrue(
        r.stderr().contains("config error: server.tls.certFile: cannot read /nonexistent/tls.crt"),
        r.stderr());

    CommandResult env =
        GatewayProcess.run(
            dir, Map.of("PORTCULLIS_ADMIN_PORT", "nine"), "--config", config.toString());
    assertEquals(2, env.exitCode());
    assertTrue(
        env.stderr().contains("PORTCULLIS_ADMIN_PORT: 'nine' is not a number (it sets admin.port)"),
        env.stderr());
    assertNotEquals(
        0, GatewayProcess.run(dir, "healthcheck", "--url", "http://127.0.0.1:1/readyz").exitCode());
  }

  private static String kv(JsonNode line, String key) {
    for (JsonNode pair : line.path("kvpList")) {
      if (pair.has(key)) {
        return pair.get(key).asText();
      }
    }
    return null;
  }

  /** Every log line parsed as JSON, once a line mentioning {@code text} has been written. */
  private static List<JsonNode> awaitLogLine(GatewayProcess gateway, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String log = gateway.log();
      if (log.contains(text) || System.nanoTime() > deadline) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : log.split("\n")) {
          if (!line.isBlank()) {
            JsonNode node = JSON.readTree(line);
            assertTrue(node.isObject(), "one JSON object per line: " + line);
            out.add(node);
          }
        }
        assertTrue(log.contains(text), log);
        return out;
      }
      Thread.sleep(20);
    }
  }

  private static void awaitStatus(String url, int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = Http.get(url).statusCode();
      if (last == status) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(url + " answered " + last + ", not " + status);
  }

  private static int healthcheck(String url) throws Exception {
    return GatewayProcess.run(dir, "healthcheck", "--url", url).exitCode();
  }
}
