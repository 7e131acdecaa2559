package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.RegistryProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB blob streams through a gateway whose whole heap is 128 MiB: if any part of the path
 * buffered the blob, the gateway would fail with OutOfMemoryError instead of delivering it.
 */
class LargeBlobIT {
  private static final long GIB = 1024L * 1024 * 1024;

  @Test
  void oneGibBlobStreamsThroughA128MibHeap(@TempDir Path dir) throws Exception {
    try (RegistryProcess registry = RegistryProcess.start()) {
      LargeBlob blob = LargeBlob.of(GIB, 42);
      blob.upload(Http.CLIENT, registry.url(), "big/blob");
      try (GatewayProcess gateway = GatewayProcess.inFrontOf(dir, registry.url(), "-Xmx128m")) {
        LargeBlob.Received got =
            LargeBlob.fetch(Http.CLIENT, gateway.url() + "/v2/big/blob/blobs/" + blob.digest());
        assertEquals(200, got.status());
        assertEquals(GIB, got.bytes());
        assertEquals(blob.digest(), got.digest());
        assertTrue(gateway.isAlive(), "gateway survived");
        assertTrue(!gateway.log().contains("OutOfMemoryError"), gateway.log());
        System.out.printf(
            "LargeBlobIT: 1 GiB through -Xmx128m gateway in %.1f s (%.0f MiB/s)%n",
            got.seconds(), GIB / 1048576.0 / got.seconds());
      }
    }
  }
}
