package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.RegistryProcess;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cached file that rotted while the gateway was down is found by the start-up scan and fetched
 * again. A gateway killed (SIGKILL) in the middle of a cache fill leaves nothing under the blob's
 * digest: after a restart the partial temp file is gone, and the blob is fetched and cached whole.
 */
class CacheCrashIT {
  private static final long SIZE = 256L * 1024 * 1024;

  @Test
  void aFileCorruptedWhileTheGatewayWasDownIsDetectedAtStartAndFetchedAgain(@TempDir Path dir)
      throws Exception {
    try (RegistryProcess registry = RegistryProcess.start()) {
      byte[] bytes = RegistryProtocolIT.random(300_000, 78);
      var digest = CacheBlobIT.upload(registry, "team/rot", bytes);
      String path = "/v2/team/rot/blobs/" + digest;
      Path cached = dir.resolve("data/cache/blobs/sha256/" + digest.hex());
      try (GatewayProcess first = GatewayProcess.inFrontOf(dir, registry.url())) {
        assertEquals(200, Http.getBytes(first.url() + path).statusCode());
        // the second GET is a hit only once the fill is in the store
        assertEquals(200, Http.getBytes(first.url() + path).statusCode());
      }
      // Bit rot: same size, same mtime, one bit flipped.
      var mtime = Files.getLastModifiedTime(cached);
      byte[] rotten = Files.readAllBytes(cached);
      rotten[4321] ^= 0x10;
      Files.write(cached, rotten);
      Files.setLastModifiedTime(cached, mtime);

      try (GatewayProcess second = GatewayProcess.inFrontOf(dir, registry.url())) {
        var r = Http.getBytes(second.url() + path);
        assertEquals(200, r.statusCode());
        assertArrayEquals(bytes, r.body(), "never the corrupted file");
        assertEquals(2, registry.count("GET", path), "dropped at start and fetched again");
      }
    }
  }

  @Test
  void aKillMidFillLeavesNoPartialBlobAfterRestart(@TempDir Path dir) throws Exception {
    try (RegistryProcess registry = RegistryProcess.start()) {
      LargeBlob blob = LargeBlob.of(SIZE, 77);
      blob.upload(Http.CLIENT, registry.url(), "big/blob");
      String path = "/v2/big/blob/blobs/" + blob.digest();
      Path cached = dir.resolve("data/cache/blobs/sha256/" + blob.digest().hex());
      Path tmp = dir.resolve("data/cache/tmp");

      GatewayProcess first = GatewayProcess.inFrontOf(dir, registry.url());
      try {
        HttpResponse<InputStream> r =
            Http.CLIENT.send(
                HttpRequest.newBuilder(URI.create(first.url() + path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream in = r.body()) {
          assertTrue(in.readNBytes(64 * 1024).length > 0, "the first bytes arrived");
          first.kill();
        }
      } finally {
        first.close();
      }
      assertFalse(Files.exists(cached), "killed before the fill finished: no blob at its address");

      try (GatewayProcess second = GatewayProcess.inFrontOf(dir, registry.url())) {
        assertFalse(Files.exists(cached), "nothing partial became visible at restart");
        try (Stream<Path> left = Files.list(tmp)) {
          assertEquals(0, left.count(), "the unfinished temp file was deleted at start");
        }
        LargeBlob.Received got = LargeBlob.fetch(Http.CLIENT, second.url() + path);
        assertEquals(200, got.status());
        assertEquals(blob.digest(), got.digest());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(cached) && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertEquals(SIZE, Files.size(cached), "the whole blob is cached after the restart");
      }
    }
  }
}
