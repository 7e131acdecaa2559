package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.testing.FaultyUpstream;
import io.portcullis.gateway.testing.FaultyUpstream.Fault;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Wrong or short upstream bytes never enter the cache: the client's connection is reset as without
 * a cache, the temp file is deleted, and the next clean download is fetched (and cached) anew.
 */
class CacheFaultIT {
  private static final int BLOB = 1_500_000;
  @TempDir static Path dir;
  static RegistryProcess registry;
  static FaultyUpstream faulty;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    faulty = FaultyUpstream.start(registry);
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("faulty", faulty.url(), "", false)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, faulty, registry);
  }

  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      names = {"CORRUPT", "TRUNCATE"})
  void aBadUpstreamNeverLeavesACacheEntry(Fault fault) throws Exception {
    byte[] bytes = RegistryProtocolIT.random(BLOB, 70 + fault.ordinal());
    Digest blob = CacheBlobIT.upload(registry, "team/" + fault.name().toLowerCase(), bytes);
    String url = gateway.url() + "/v2/team/" + fault.name().toLowerCase() + "/blobs/" + blob;
    Path cached = dir.resolve("data/cache/blobs/sha256/" + blob.hex());
    faulty.fault(fault);
    try {
      assertThrows(IOException.class, () -> LargeBlob.fetch(Http.CLIENT, url));
    } finally {
      faulty.fault(Fault.NONE);
    }
    awaitNoTempFiles();
    assertFalse(Files.exists(cached), fault + ": nothing under the digest");

    long before = faulty.blobGets();
    LargeBlob.Received ok = LargeBlob.fetch(Http.CLIENT, url);
    assertEquals(blob, ok.digest());
    assertEquals(before + 1, faulty.blobGets(), "fetched anew, not served from a bad entry");
    awaitNoTempFiles();
    assertTrue(Files.exists(cached), "the clean copy is cached");
    assertEquals(blob, LargeBlob.fetch(Http.CLIENT, url).digest());
    assertEquals(before + 1, faulty.blobGets(), "and served from the cache");
  }

  /**
   * A follower gets the bytes as they arrive, not once they are on disk, and only the blob's last
   * byte waits for the verification: from an upstream that sends the first half at once and then
   * trickles (4 KiB every 200 ms), the first half reaches the client at once. The reader used to
   * serve only what was written to disk (in 256 KiB batches) and always held one batch back, so a
   * client got none of these 150 KB until the trickle had filled two batches.
   */
  @Test
  void aFollowerGetsTheBytesAsTheyArrive() throws Exception {
    int size = 300_000;
    byte[] bytes = RegistryProtocolIT.random(size, 79);
    Digest blob = CacheBlobIT.upload(registry, "team/trickle", bytes);
    faulty.fault(Fault.TRICKLE);
    try {
      long t0 = System.nanoTime();
      HttpResponse<InputStream> r =
          Http.CLIENT.send(
              HttpRequest.newBuilder(URI.create(gateway.url() + "/v2/team/trickle/blobs/" + blob))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      try (InputStream in = r.body()) {
        byte[] head = in.readNBytes(size / 2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertArrayEquals(Arrays.copyOf(bytes, size / 2), head);
        assertTrue(seconds < 3, "the first half arrived after " + seconds + " s");
        byte[] rest = in.readAllBytes();
        assertArrayEquals(Arrays.copyOfRange(bytes, size / 2, size), rest, "then the rest");
      }
    } finally {
      faulty.fault(Fault.NONE);
    }
  }

  /**
   * A fill creates its temp file while the upstream is asked; when the upstream answers 404 (an
   * outsider may ask for any digest), the file is deleted once it exists, never left behind.
   */
  @Test
  void aColdGetTheUpstreamDoesNotHaveLeavesNoTempFile() throws Exception {
    for (int i = 0; i < 8; i++) {
      Digest absent = Digest.sha256(("absent " + i).getBytes(StandardCharsets.UTF_8));
      var r = Http.getBytes(gateway.url() + "/v2/team/absent/blobs/" + absent);
      assertEquals(404, r.statusCode());
    }
    awaitNoTempFiles();
  }

  private static void awaitNoTempFiles() throws Exception {
    Path tmp = dir.resolve("data/cache/tmp");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try (Stream<Path> s = Files.list(tmp)) {
        if (s.findAny().isEmpty()) {
          return;
        }
      }
      assertTrue(System.nanoTime() < deadline, "temp files are cleaned up");
      Thread.sleep(20);
    }
  }
}
