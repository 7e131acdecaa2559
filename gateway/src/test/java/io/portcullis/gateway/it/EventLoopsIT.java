package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.eventLoops}: the client API is served by one listener per event loop, and every
 * loop carries work (counted by {@code portcullis_eventloop_requests_total}); the cache's
 * single-flights stay single across loops.
 */
class EventLoopsIT {
  private static final Pattern LOOP_LINE =
      Pattern.compile("portcullis_eventloop_requests_total\\{loop=\"([^\"]+)\"} ([0-9.E]+)");
  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture two;
  static GatewayFixture one;
  static Digest manifest;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    two = gateway("two", 2);
    one = gateway("one", 1);
    byte[] bytes = RegistryProtocolIT.pushImageTo(registry.url(), "team/loops", 31);
    manifest = Digest.sha256(bytes);
    var put =
        Http.send(
            "PUT",
            registry.url() + "/v2/team/loops/manifests/v1",
            bytes,
            "Content-Type",
            MediaTypes.OCI_MANIFEST);
    assertEquals(201, put.statusCode(), put.body());
  }

  private static GatewayFixture gateway(String name, int loops) throws Exception {
    return GatewayFixture.builder(dir.resolve(name))
        .server("  eventLoops: " + loops + "\n")
        .upstream("internal", registry.url(), "", false)
        .extra("admin: {host: 127.0.0.1, port: 0}\n")
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(one, two, registry);
  }

  /**
   * Requests counted per event loop so far: from the admin listener's {@code /metrics} when the
   * gateway has one, else from its meters in process.
   */
  static Map<String, Double> perLoop(GatewayFixture gateway) throws Exception {
    Optional<Integer> admin = gateway.gateway().adminPort();
    String text =
        admin.isPresent()
            ? Http.get("http://127.0.0.1:" + admin.get() + "/metrics").body()
            : gateway.gateway().metrics().scrape().orElseThrow();
    Map<String, Double> loops = new TreeMap<>();
    Matcher m = LOOP_LINE.matcher(text);
    while (m.find()) {
      loops.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return loops;
  }

  /** What each loop took between {@code before} and now. */
  static Map<String, Double> since(GatewayFixture gateway, Map<String, Double> before)
      throws Exception {
    Map<String, Double> now = perLoop(gateway);
    now.replaceAll((loop, n) -> n - before.getOrDefault(loop, 0.0));
    now.values().removeIf(n -> n == 0);
    return now;
  }

  /** Runs {@code clients} copies of {@code call} at once, each on its own thread. */
  static <T> List<T> together(int clients, Callable<T> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> all = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        all.add(
            pool.submit(
                () -> {
                  go.await();
                  return call.call();
                }));
      }
      go.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : all) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void manifestGets(GatewayFixture gateway) throws Exception {
    // 32 clients at once: the JDK client opens a connection for each request in flight.
    for (HttpResponse<String> r :
        together(
            32,
            () -> {
              HttpResponse<String> last = null;
              for (int i = 0; i < 4; i++) {
                last = gateway.manifest("team/loops", i % 2 == 0 ? "v1" : manifest.toString());
              }
              return last;
            })) {
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(manifest.toString(), r.headers().firstValue("Docker-Content-Digest").get());
    }
  }

  @Test
  void thirtyTwoConnectionsOfManifestGetsKeepBothLoopsBusy() throws Exception {
    Map<String, Double> before = perLoop(two);
    manifestGets(two);
    Map<String, Double> served = since(two, before);
    assertEquals(2, served.size(), "both event loops served requests: " + served);
    assertEquals(128.0, served.values().stream().mapToDouble(d -> d).sum(), "" + served);
    served.forEach((loop, n) -> assertTrue(n >= 16, loop + " took a fair share: " + served));
  }

  @Test
  void oneEventLoopServesEverythingOnOne() throws Exception {
    Map<String, Double> before = perLoop(one);
    manifestGets(one);
    Map<String, Double> served = since(one, before);
    assertEquals(1, served.size(), "one event loop: " + served);
    assertEquals(128.0, served.values().iterator().next());
  }

  @Test
  void sixteenColdManifestClientsOnTwoLoopsMakeOneUpstreamGet() throws Exception {
    byte[] bytes = RegistryProtocolIT.pushImageTo(registry.url(), "team/cold", 33);
    Digest digest = Digest.sha256(bytes);
    var put =
        Http.send(
            "PUT",
            registry.url() + "/v2/team/cold/manifests/v1",
            bytes,
            "Content-Type",
            MediaTypes.OCI_MANIFEST);
    assertEquals(201, put.statusCode(), put.body());
    for (String reference : List.of("v1", digest.toString())) {
      Map<String, Double> before = perLoop(two);
      for (HttpResponse<String> r : together(16, () -> two.manifest("team/cold", reference))) {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(digest.toString(), r.headers().firstValue("Docker-Content-Digest").get());
      }
      Map<String, Double> served = since(two, before);
      assertEquals(2, served.size(), "the clients landed on both loops: " + served);
    }
    // By tag: one GET; by digest: none, the tag's fetch cached the manifest under its digest.
    assertEquals(
        1,
        registry.count("GET", "/v2/team/cold/manifests/.*"),
        "16 cold clients of a tag, then of its digest: one upstream GET");
  }

  @Test
  void sixteenColdBlobClientsOnTwoLoopsMakeOneUpstreamGet() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(8 * 1024 * 1024 + 5, 32);
    Digest digest = CacheBlobIT.upload(registry, "team/loops", bytes);
    String url = two.url() + "/v2/team/loops/blobs/" + digest;
    Map<String, Double> before = perLoop(two);
    for (HttpResponse<byte[]> r : together(16, () -> Http.getBytes(url))) {
      assertEquals(200, r.statusCode());
      assertArrayEquals(bytes, r.body(), "every client gets the right bytes");
    }
    Map<String, Double> served = since(two, before);
    assertEquals(2, served.size(), "the clients landed on both loops: " + served);
    assertEquals(
        1, registry.count("GET", "/v2/.*/blobs/" + digest), "16 cold clients, one upstream GET");
  }
}
