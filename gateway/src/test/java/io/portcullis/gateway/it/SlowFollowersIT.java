package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.testkit.RegistryProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients following one cold fill through a gateway with a small heap. Each follower's memory
 * must be bounded by a constant, whatever the blob and however slow the client: the baseline
 * benchmark's 8 clients at 1 MiB/s of a 64 MiB blob took a 128 MiB gateway to an OutOfMemoryError
 * (duplicate continuations in {@code GrowingFileReader} each wrote one more chunk into a write
 * queue that was already full), and the clients then hung for good.
 */
class SlowFollowersIT {
  private static final long MIB = 1024 * 1024;
  private static final long SIZE = 40 * MIB;
  private static final int FOLLOWERS = 8;
  private static final long RATE = 2 * MIB;
  // The heap is committed and touched at start (-Xms = -Xmx, AlwaysPreTouch), so RSS growth is
  // what lives off the heap: the copies of what each follower has not yet sent in socket buffers
  // (Netty's direct buffers, at most GrowingFileReader.UNSENT_HIGH plus one chunk each, 16 MiB for
  // eight), the JDK's per-thread direct buffer for file reads on the worker threads (1 MiB each,
  // at most 20), thread stacks and code. Measured on the fixed gateway: 39 MiB. The heap itself
  // (96 MiB) bounds the rest: the old code died there with OutOfMemoryError.
  // Measured from a gateway that has served one cold blob to eight clients at full speed, as a
  // running gateway has: from a fresh one, its first pull's own start-up (threads, pools, compiled
  // code) moved the figure by up to 14 MiB from run to run (52-70 MiB on the same build, 38-59
  // after the warm-up).
  private static final long RSS_GROWTH_BOUND_MIB = 64;

  /** Eight clients at full speed of one cold blob at once (a fill and its followers). */
  private static void warmUp(String url, Digest digest) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(FOLLOWERS);
    try {
      List<Future<LargeBlob.Received>> all = new ArrayList<>();
      for (int i = 0; i < FOLLOWERS; i++) {
        all.add(pool.submit(() -> LargeBlob.fetch(Http.CLIENT, url)));
      }
      for (Future<LargeBlob.Received> f : all) {
        assertEquals(digest, f.get(60, TimeUnit.SECONDS).digest());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void eightSlowFollowersOfOneColdBlobEachGetItWithinABoundedHeap(@TempDir Path dir)
      throws Exception {
    try (RegistryProcess registry = RegistryProcess.start()) {
      LargeBlob blob = LargeBlob.of(SIZE, 91);
      blob.upload(Http.CLIENT, registry.url(), "slow/blob");
      LargeBlob other = LargeBlob.of(SIZE, 92);
      other.upload(Http.CLIENT, registry.url(), "slow/other");
      try (GatewayProcess gateway =
          GatewayProcess.inFrontOf(
              dir, registry.url(), "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch")) {
        String url = gateway.url() + "/v2/slow/blob/blobs/" + blob.digest();
        Path cached = dir.resolve("data/cache/blobs/sha256/" + blob.digest().hex());
        ProcessProbe probe = new ProcessProbe(gateway.pid());
        warmUp(gateway.url() + "/v2/slow/other/blobs/" + other.digest(), other.digest());
        long rssBefore = probe.rssKiB();
        long peak = rssBefore;
        boolean storedWhileFollowing = false;
        ExecutorService pool = Executors.newFixedThreadPool(FOLLOWERS);
        try {
          CountDownLatch go = new CountDownLatch(1);
          List<Future<Digest>> followers = new ArrayList<>();
          for (int i = 0; i < FOLLOWERS; i++) {
            followers.add(
                pool.submit(
                    () -> {
                      go.await();
                      return throttledDownload(url, SIZE, RATE);
                    }));
          }
          go.countDown();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
          while (!followers.stream().allMatch(Future::isDone) && System.nanoTime() < deadline) {
            peak = Math.max(peak, probe.rssKiB());
            storedWhileFollowing |=
                Files.exists(cached) && !followers.stream().allMatch(Future::isDone);
            Thread.sleep(100); // a sampling interval for RSS, not a wait for readiness
          }
          for (Future<Digest> f : followers) {
            assertTrue(f.isDone(), "a slow follower got the blob within 45 s\n" + tail(gateway));
            try {
              assertEquals(blob.digest(), f.get(), "every follower gets the whole, right blob");
            } catch (ExecutionException e) {
              throw new AssertionError("a follower failed; gateway log:\n" + tail(gateway), e);
            }
          }
        } finally {
          pool.shutdownNow();
        }
        assertTrue(gateway.isAlive(), "gateway survived");
        assertFalse(gateway.log().contains("OutOfMemoryError"), gateway.log());
        assertTrue(
            storedWhileFollowing,
            "the fill was stored while the slow clients were still reading: they never pace it");
        LargeBlob.Received again = LargeBlob.fetch(Http.CLIENT, url);
        assertEquals(200, again.status(), "and still serves the next request");
        assertEquals(blob.digest(), again.digest());
        long growthMib = (peak - rssBefore) / 1024;
        System.out.printf(
            "SlowFollowersIT: RSS %d MiB before, peak %d MiB (growth %d MiB)%n",
            rssBefore / 1024, peak / 1024, growthMib);
        assertTrue(
            growthMib <= RSS_GROWTH_BOUND_MIB,
            "RSS grew by " + growthMib + " MiB with " + FOLLOWERS + " slow followers");
      }
    }
  }

  /**
   * GETs {@code url} reading at most {@code bytesPerSecond}, over a blocking socket so the
   * gateway's writes back up as they would to a slow client; returns the digest of what arrived. A
   * gateway that stops sending fails the read after 10 s instead of hanging the test.
   */
  private static Digest throttledDownload(String url, long size, long bytesPerSecond)
      throws IOException, InterruptedException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setReadTimeout(10_000);
    c.setConnectTimeout(5_000);
    try {
      assertEquals(200, c.getResponseCode());
      MessageDigest md = newSha256();
      long total = 0;
      long t0 = System.nanoTime();
      byte[] buf = new byte[32 * 1024];
      try (InputStream in = c.getInputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
          total += n;
          long due = t0 + total * 1_000_000_000L / bytesPerSecond;
          long ahead = due - System.nanoTime();
          if (ahead > 0) {
            TimeUnit.NANOSECONDS.sleep(ahead); // the throttle itself
          }
        }
      }
      assertEquals(size, total, "the whole blob");
      return new Digest("sha256", HexFormat.of().formatHex(md.digest()));
    } finally {
      c.disconnect();
    }
  }

  private static String tail(GatewayProcess gateway) throws IOException {
    String log = gateway.log();
    return log.substring(Math.max(0, log.length() - 4000));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
