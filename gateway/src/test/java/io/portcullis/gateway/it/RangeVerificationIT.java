package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.testing.FaultyUpstream;
import io.portcullis.gateway.testing.FaultyUpstream.Fault;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Range} GETs never carry bytes that were not checked against the digest, whether the blob
 * fits the cache (the range waits for the verified fill and is cut from the file) or not (the range
 * is ignored and the whole blob streams through the verifying pipe), even from an upstream that
 * lies about the bytes of a range.
 */
class RangeVerificationIT {
  /** Blobs of up to this size are cached; larger ones take the uncached path. */
  private static final int CACHE_SIZE = 1024 * 1024;

  @TempDir static Path dir;
  static RegistryProcess registry;
  static FaultyUpstream upstream;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    upstream = FaultyUpstream.start(registry);
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("lying", upstream.url(), "", false)
            .extra("cache: {maxSize: 1MiB}\n")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, upstream, registry);
  }

  @AfterEach
  void honest() {
    upstream.fault(Fault.NONE);
  }

  @Test
  void aRangeThroughAColdCacheIsExactlyTheAskedBytes() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(300_000, 81);
    Digest digest = CacheBlobIT.upload(registry, "team/cold", bytes);
    long gets = upstream.blobGets();
    HttpResponse<byte[]> r = range("team/cold", digest, "bytes=1000-1999");
    assertEquals(206, r.statusCode());
    assertEquals("bytes 1000-1999/300000", r.headers().firstValue("Content-Range").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(bytes, 1000, 2000), r.body());
    // The range filled the cache from one whole-blob GET, so a second one is served from disk.
    assertArrayEquals(
        Arrays.copyOfRange(bytes, 299_990, 300_000),
        range("team/cold", digest, "bytes=-10").body());
    assertEquals(gets + 1, upstream.blobGets());
    assertEquals(416, range("team/cold", digest, "bytes=300000-").statusCode());
  }

  @Test
  void aLyingUpstreamsRangeNeverReachesTheClientWithTheCache() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(200_000, 82);
    Digest digest = CacheBlobIT.upload(registry, "team/lie", bytes);
    upstream.fault(Fault.CORRUPT);
    assertNoUnverifiedBytes("team/lie", digest, "bytes=0-199999");
    assertNoUnverifiedBytes("team/lie", digest, "bytes=99990-100009");
    assertFalse(
        Files.exists(dir.resolve("data/cache/blobs/sha256/" + digest.hex())),
        "nothing unverified is cached");
    upstream.fault(Fault.NONE);
    HttpResponse<byte[]> honest = range("team/lie", digest, "bytes=99990-100009");
    assertEquals(206, honest.statusCode());
    assertArrayEquals(Arrays.copyOfRange(bytes, 99_990, 100_010), honest.body());
  }

  @Test
  void aLyingUpstreamsRangeNeverReachesTheClientWithoutTheCache() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(CACHE_SIZE + 300_000, 83);
    Digest digest = CacheBlobIT.upload(registry, "team/big-lie", bytes);
    upstream.fault(Fault.CORRUPT);
    assertNoUnverifiedBytes("team/big-lie", digest, "bytes=0-99");
    assertNoUnverifiedBytes("team/big-lie", digest, "bytes=" + (bytes.length / 2 - 5) + "-");
  }

  @Test
  void aBlobLargerThanTheCacheIsSentWholeAndVerifiedForARange() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(CACHE_SIZE + 200_000, 84);
    Digest digest = CacheBlobIT.upload(registry, "team/big", bytes);
    HttpResponse<byte[]> r = range("team/big", digest, "bytes=0-99");
    // RFC 9110 lets a server ignore Range; the whole blob is the only verifiable answer here.
    assertEquals(200, r.statusCode());
    assertArrayEquals(bytes, r.body());
    assertTrue(r.headers().firstValue("Content-Range").isEmpty(), r.headers().toString());
    assertTrue(r.headers().firstValue("Accept-Ranges").isEmpty(), r.headers().toString());

    var head =
        Http.send(
            "HEAD", gateway.url() + "/v2/team/big/blobs/" + digest, null, "Range", "bytes=0-99");
    assertEquals(200, head.statusCode());
    assertEquals(
        Integer.toString(bytes.length), head.headers().firstValue("Content-Length").orElseThrow());
  }

  /**
   * A range on a slow fill is not answered with silence until the fill ends: after the gateway's
   * range wait (5 s; this fill takes about 7.5 s) it gets the whole blob as it arrives (200),
   * verified as it streams. Waiting for the whole fill would answer 206.
   */
  @Test
  void aRangeOnASlowFillGetsTheWholeBlobInsteadOfWaiting() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(300_000, 85);
    Digest digest = CacheBlobIT.upload(registry, "team/slow", bytes);
    upstream.fault(Fault.TRICKLE);
    HttpResponse<byte[]> r = range("team/slow", digest, "bytes=0-99");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Range").isEmpty(), r.headers().toString());
    assertArrayEquals(bytes, r.body());
  }

  /** The answer is an error or a broken transfer: never a 2xx whose body is not the blob's. */
  private static void assertNoUnverifiedBytes(String repo, Digest digest, String range)
      throws Exception {
    HttpResponse<byte[]> r;
    try {
      r = range(repo, digest, range);
    } catch (IOException reset) {
      return;
    }
    assertFalse(
        r.statusCode() / 100 == 2,
        range + " answered " + r.statusCode() + " with " + r.body().length + " bytes");
  }

  private static HttpResponse<byte[]> range(String repo, Digest digest, String range)
      throws Exception {
    return Http.getBytes(gateway.url() + "/v2/" + repo + "/blobs/" + digest, "Range", range);
  }
}
