package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob cache against a real registry, counting the registry's own access log: concurrent cold
 * GETs coalesce into one upstream GET, warm GETs (whole, ranged, HEAD) never reach the upstream,
 * and the file on disk is the verified blob under its digest.
 */
class CacheBlobIT {
  private static final int SIZE = 12 * 1024 * 1024 + 17;
  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            // Two listeners whatever the machine: concurrent clients land on both event loops.
            .server("  eventLoops: 2\n")
            .upstream("internal", registry.url(), "", false)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, registry);
  }

  static Digest upload(String repo, byte[] bytes) throws Exception {
    return upload(registry, repo, bytes);
  }

  /** Pushes {@code bytes} as a blob of {@code repo} straight to the registry. */
  static Digest upload(RegistryProcess registry, String repo, byte[] bytes) throws Exception {
    Digest digest = Digest.sha256(bytes);
    var r = Http.send("POST", registry.url() + "/v2/" + repo + "/blobs/uploads/", null);
    String loc =
        URI.create(registry.url())
            .resolve(r.headers().firstValue("Location").orElseThrow())
            .toString();
    assertEquals(201, Http.send("PUT", loc + "&digest=" + digest, bytes).statusCode());
    return digest;
  }

  /** {@code clients} GETs of {@code url} sent at once, from as many threads; their answers. */
  static List<HttpResponse<byte[]>> getAtOnce(String url, int clients) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<byte[]>>> all = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        all.add(
            pool.submit(
                () -> {
                  go.await();
                  return Http.getBytes(url);
                }));
      }
      go.countDown();
      List<HttpResponse<byte[]>> answers = new ArrayList<>();
      for (var f : all) {
        answers.add(f.get());
      }
      return answers;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long upstreamGets(Digest d) {
    return registry.count("GET", "/v2/.*/blobs/" + d);
  }

  @Test
  void sixteenConcurrentColdGetsFetchTheBlobOnce() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(SIZE, 61);
    Digest digest = upload("team/app", bytes);
    String url = gateway.url() + "/v2/team/app/blobs/" + digest;
    var before = EventLoopsIT.perLoop(gateway);
    for (HttpResponse<byte[]> r : getAtOnce(url, 16)) {
      assertEquals(200, r.statusCode());
      assertEquals(digest.toString(), r.headers().firstValue("Docker-Content-Digest").get());
      assertTrue(Arrays.equals(bytes, r.body()), "every client gets the right bytes");
    }
    var served = EventLoopsIT.since(gateway, before);
    assertEquals(2, served.size(), "the clients were served on both event loops: " + served);
    assertEquals(1, upstreamGets(digest), "16 cold clients, one upstream GET");
    assertEquals(0, registry.count("HEAD", "/v2/.*/blobs/" + digest), "and no HEADs either");
    Path file = dir.resolve("data/cache/blobs/sha256/" + digest.hex());
    assertEquals(SIZE, Files.size(file));
  }

  @Test
  void warmBlobGetsRangesAndHeadsNeverReachTheUpstream() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(300_000, 62);
    Digest digest = upload("team/warm", bytes);
    String url = gateway.url() + "/v2/team/warm/blobs/" + digest;
    assertArrayEquals(bytes, Http.getBytes(url).body());
    long before = registry.requests().size();

    HttpResponse<byte[]> again = Http.getBytes(url);
    assertEquals(200, again.statusCode());
    assertArrayEquals(bytes, again.body());

    HttpResponse<byte[]> range = Http.getBytes(url, "Range", "bytes=1000-1999");
    assertEquals(206, range.statusCode());
    assertEquals(
        "bytes 1000-1999/300000", range.headers().firstValue("Content-Range").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(bytes, 1000, 2000), range.body());

    HttpResponse<byte[]> suffix = Http.getBytes(url, "Range", "bytes=-10");
    assertArrayEquals(Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length), suffix.body());

    assertEquals(416, Http.getBytes(url, "Range", "bytes=300000-").statusCode());

    var head = Http.send("HEAD", url, null);
    assertEquals(200, head.statusCode());
    assertEquals("300000", head.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(digest.toString(), head.headers().firstValue("Docker-Content-Digest").get());

    assertEquals(before, registry.requests().size(), "warm requests reach the upstream 0 times");
    assertEquals(1, upstreamGets(digest));
  }

  @Test
  void aCachedFileChangedOnDiskIsDetectedAndFetchedAgain() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(200_000, 64);
    Digest digest = upload("team/rot", bytes);
    String url = gateway.url() + "/v2/team/rot/blobs/" + digest;
    assertArrayEquals(bytes, Http.getBytes(url).body());
    // A second GET is a hit only once the fill is in the store.
    assertArrayEquals(bytes, Http.getBytes(url).body());
    assertEquals(1, upstreamGets(digest));
    Path file = dir.resolve("data/cache/blobs/sha256/" + digest.hex());
    var verifiedAt = Files.getLastModifiedTime(file);
    byte[] rotten = bytes.clone();
    rotten[1234] ^= 0x01;
    Files.write(file, rotten);
    // A later write has a later mtime, however coarse the clock: make it so.
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.fromMillis(verifiedAt.toMillis() + 2000));

    HttpResponse<byte[]> again = Http.getBytes(url);
    assertEquals(200, again.statusCode());
    assertArrayEquals(bytes, again.body(), "never the changed file");
    assertEquals(2, upstreamGets(digest), "the changed file was dropped and fetched again");
    // The response ends once the bytes are verified; the next GET waits for the file to be stored.
    assertArrayEquals(bytes, Http.getBytes(url).body());
    assertEquals(2, upstreamGets(digest), "and then served from the cache");
    assertArrayEquals(bytes, Files.readAllBytes(file), "which holds the whole blob again");
  }

  @Test
  void aCachedBlobServesAnotherRepositoryOfTheSameUpstreamOnlyAfterTheUpstreamSaysSo()
      throws Exception {
    byte[] bytes = RegistryProtocolIT.random(5000, 63);
    Digest digest = upload("team/one", bytes);
    assertArrayEquals(bytes, Http.getBytes(gateway.url() + "/v2/team/one/blobs/" + digest).body());
    // Not in team/two upstream: a 404 there, never the cached copy of another repository.
    assertEquals(404, Http.getBytes(gateway.url() + "/v2/team/two/blobs/" + digest).statusCode());
  }
}
