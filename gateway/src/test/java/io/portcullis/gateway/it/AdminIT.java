package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener: liveness and readiness, and Prometheus metrics that move when requests are
 * served (by route and status), upstreams are asked (latency) and policies decide (by outcome and
 * policy). Also the request id every response carries.
 */
class AdminIT {
  private static final String MANIFEST_ACCEPT =
      "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    OciLayout image = images.build(ImageSpec.builder().layers(1, 32 * 1024).seed(91).build());
    images.push(image, registry.ref("audit/app:v1"));
    images.push(image, registry.ref("strict/app:v1"));
    images.push(image, registry.ref("open/app:v1"));
    Files.writeString(dir.resolve("pw"), "pw\n");
    Signer.keygen(dir, "release");
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        version: 1
        trustStores:
          release-keys: {type: cosign, keys: [%s]}
        policies:
          - name: strict
            scopes: ["strict/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
          - name: watch
            scopes: ["audit/**"]
            mode: audit
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
        """
            .formatted(dir.resolve("release.pub")));
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("internal", registry.url(), "", false)
            .extra(
                "admin: {host: 127.0.0.1, port: 0}\npolicy: {file: %s}\naudit: {file: %s}\n"
                    .formatted(dir.resolve("policy.yaml"), dir.resolve("audit.jsonl")))
            .start();
    admin = "http://127.0.0.1:" + gateway.gateway().adminPort().orElseThrow();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, registry);
  }

  @Test
  void healthAndReadiness() throws Exception {
    HttpResponse<String> live = Http.get(admin + "/healthz");
    assertEquals(200, live.statusCode());
    HttpResponse<String> ready = Http.get(admin + "/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(404, Http.get(admin + "/nope").statusCode());
    assertEquals(405, Http.send("POST", admin + "/metrics", new byte[0]).statusCode());
    // The client API does not serve admin paths.
    assertEquals(404, Http.get(gateway.url() + "/metrics").statusCode());
  }

  @Test
  void requestMetricsCountByRouteAndStatus() throws Exception {
    String before = scrape();
    for (int i = 0; i < 3; i++) {
      assertEquals(
          200,
          Http.get(gateway.url() + "/v2/open/app/manifests/v1", "Accept", MANIFEST_ACCEPT)
              .statusCode());
    }
    assertEquals(
        404,
        Http.get(gateway.url() + "/v2/open/app/manifests/nope", "Accept", MANIFEST_ACCEPT)
            .statusCode());
    String after = scrape();
    String name = "portcullis_http_server_requests_seconds_count";
    assertEquals(
        3.0,
        increase(before, after, name, "route=\"manifest\"", "status=\"200\"", "method=\"GET\""),
        after);
    assertEquals(1.0, increase(before, after, name, "route=\"manifest\"", "status=\"404\""));
    String upstream = "portcullis_upstream_requests_seconds_count";
    assertTrue(
        value(after, upstream, "upstream=\"internal\"", "status=\"200\"")
            >= value(before, upstream, "upstream=\"internal\"", "status=\"200\"") + 3,
        "every manifest GET asked the upstream");
    assertTrue(
        value(after, "portcullis_upstream_requests_seconds_sum", "upstream=\"internal\"") > 0,
        "upstream latency is recorded");
    assertTrue(after.contains("jvm_memory_used_bytes"), "JVM meters too");
  }

  @Test
  void decisionMetricsCountByPolicyAndOutcome() throws Exception {
    String before = scrape();
    assertEquals(
        403,
        Http.get(
                gateway.url() + "/v2/strict/app/manifests/v1",
                "Accept",
                MANIFEST_ACCEPT,
                "X-Request-Id",
                "deny-me-1")
            .statusCode());
    assertEquals(
        200,
        Http.get(gateway.url() + "/v2/audit/app/manifests/v1", "Accept", MANIFEST_ACCEPT)
            .statusCode());
    String after = scrape();
    String name = "portcullis_policy_decisions_total";
    assertEquals(
        1.0, increase(before, after, name, "policy=\"strict\"", "outcome=\"denied\""), after);
    assertEquals(
        1.0, increase(before, after, name, "policy=\"watch\"", "outcome=\"audit-would-deny\""));
    // The audit record of the denial carries the request's id.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (true) {
      Path audit = dir.resolve("audit.jsonl");
      String records = Files.exists(audit) ? Files.readString(audit) : "";
      if (records
          .lines()
          .anyMatch(
              l ->
                  l.contains("\"requestId\":\"deny-me-1\"")
                      && l.contains("\"outcome\":\"denied\""))) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "audit record with the request id: " + records);
      Thread.sleep(20);
    }
  }

  @Test
  void aTransferBrokenOffByTheClientCountsWithStatusZero() throws Exception {
    LargeBlob blob = LargeBlob.of(48L * 1024 * 1024, 92);
    blob.upload(Http.CLIENT, registry.url(), "open/big");
    assertBrokenTransferCounted(gateway, admin, blob, "open/big", "");
  }

  /**
   * The same with access control on, where the quota gate also watches the connection: both must
   * hear of it (Vert.x keeps one close handler per connection).
   */
  @Test
  void aTransferBrokenOffUnderAccessControlCountsToo() throws Exception {
    LargeBlob blob = LargeBlob.of(48L * 1024 * 1024, 93);
    blob.upload(Http.CLIENT, registry.url(), "open/big-auth");
    try (GatewayFixture guarded =
        GatewayFixture.builder(dir.resolve("data-auth"))
            .upstream("internal", registry.url(), "", false)
            .extra(
                "admin: {host: 127.0.0.1, port: 0}\n"
                    + "auth: {anonymous: [{repositories: ['**'], actions: [pull]}],"
                    + " quotas: {concurrentTransfers: 4}}\n")
            .start()) {
      String guardedAdmin = "http://127.0.0.1:" + guarded.gateway().adminPort().orElseThrow();
      String token =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(
                  Http.get(guarded.url() + "/token?scope=repository:open/big-auth:pull").body())
              .path("token")
              .asText();
      assertFalse(token.isEmpty(), "an anonymous pull token");
      assertBrokenTransferCounted(
          guarded, guardedAdmin, blob, "open/big-auth", "Authorization: Bearer " + token + "\r\n");
    }
  }

  private static void assertBrokenTransferCounted(
      GatewayFixture gw, String adminUrl, LargeBlob blob, String repo, String headers)
      throws Exception {
    String name = "portcullis_http_server_requests_seconds_count";
    double before = value(scrape(adminUrl), name, "route=\"blob\"", "status=\"0\"");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.gateway().port())) {
      socket
          .getOutputStream()
          .write(
              ("GET /v2/"
                      + repo
                      + "/blobs/"
                      + blob.digest()
                      + " HTTP/1.1\r\nHost: x\r\n"
                      + headers
                      + "\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.setSoTimeout(10_000);
      String status =
          new String(
              socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(status.contains("200"), status);
      socket.getInputStream().readNBytes(64 * 1024);
    }
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (value(scrape(adminUrl), name, "route=\"blob\"", "status=\"0\"") < before + 1) {
      assertTrue(
          System.nanoTime() < deadline,
          () -> {
            try {
              return "a broken transfer is recorded with status 0: "
                  + scrape(adminUrl).lines().filter(l -> l.contains("route=\"blob\"")).toList();
            } catch (Exception e) {
              return e.toString();
            }
          });
      Thread.sleep(20);
    }
  }

  @Test
  void cacheHooksAppearInTheScrape() throws Exception {
    // The pull-through cache counts too (other tests pull through this gateway): compare deltas.
    String before = scrape();
    gateway.gateway().metrics().cacheHit("blob");
    gateway.gateway().metrics().cacheBytesServed("blob", 1024);
    String text = scrape();
    assertEquals(1.0, increase(before, text, "portcullis_cache_hits_total", "kind=\"blob\""));
    assertEquals(
        1024.0, increase(before, text, "portcullis_cache_served_bytes_total", "kind=\"blob\""));
  }

  @Test
  void requestIdIsEchoedOrMade() throws Exception {
    HttpResponse<String> given = Http.get(gateway.url() + "/v2/", "X-Request-Id", "ci-run-42.7");
    assertEquals("ci-run-42.7", given.headers().firstValue("X-Request-Id").orElseThrow());
    HttpResponse<String> made = Http.get(gateway.url() + "/v2/");
    String id = made.headers().firstValue("X-Request-Id").orElseThrow();
    assertTrue(id.matches("[0-9a-f]{32}"), id);
    // A value that could forge a log line is replaced, and error responses carry the id too.
    HttpResponse<String> forged =
        Http.get(gateway.url() + "/v2/open/app/manifests/nope", "X-Request-Id", "a\"b");
    assertEquals(404, forged.statusCode());
    String replaced = forged.headers().firstValue("X-Request-Id").orElseThrow();
    assertTrue(replaced.matches("[0-9a-f]{32}"), replaced);
    assertFalse(
        Http.get(gateway.url() + "/v2/").headers().firstValue("X-Request-Id").get().equals(id));
  }

  private static String scrape() throws Exception {
    return scrape(admin);
  }

  private static String scrape(String adminUrl) throws Exception {
    HttpResponse<String> r = Http.get(adminUrl + "/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        r.headers().toString());
    return r.body();
  }

  /** The value of the series {@code name} whose labels include all of {@code labels}, else 0. */
  /** How much the series {@code name} with {@code labels} grew from one scrape to the next. */
  static double increase(String before, String after, String name, String... labels) {
    return value(after, name, labels) - value(before, name, labels);
  }

  static double value(String scrape, String name, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      String labelPart = line.substring(name.length(), line.lastIndexOf('}') + 1);
      if (Arrays.stream(labels).allMatch(labelPart::contains)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : 0;
  }
}
