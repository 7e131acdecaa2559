package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pin store stays within its bound and survives a restart. */
class PinStoreTest {
  @TempDir Path dir;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Digest digest(int i) {
    return Digest.sha256(("image " + i).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aFullStoreRefusesNewTagsButMovesKnownOnes() throws Exception {
    PinStore pins = new PinStore(vertx, dir.resolve("pins.json"), 3);
    for (int i = 0; i < 3; i++) {
      assertTrue(pins.put("team/app", "v" + i, digest(i)));
    }
    assertFalse(pins.hasRoom());
    assertFalse(pins.put("team/app", "v3", digest(3)), "a fourth tag does not fit");
    assertEquals(Optional.empty(), pins.get("team/app", "v3"));
    assertTrue(pins.put("team/app", "v0", digest(9)), "a pinned tag may still move");
    assertEquals(Optional.of(digest(9)), pins.get("team/app", "v0"));
  }

  @Test
  void manyPinsAtOnceAreAllOnDiskAfterARestart() throws Exception {
    Path file = dir.resolve("pins.json");
    PinStore pins = new PinStore(vertx, file, 10_000);
    for (int i = 0; i < 2_000; i++) {
      pins.put("team/app", "v" + i, digest(i));
    }
    pins.settled().await(20, TimeUnit.SECONDS);
    PinStore reread = new PinStore(vertx, file, 10_000);
    assertEquals(Optional.of(digest(1999)), reread.get("team/app", "v1999"));
    assertEquals(Optional.of(digest(0)), reread.get("team/app", "v0"));
  }

  @Test
  void aFileOverTheBoundIsReadUpToIt() throws Exception {
    Path file = dir.resolve("pins.json");
    PinStore big = new PinStore(vertx, file, 100);
    for (int i = 0; i < 50; i++) {
      big.put("team/app", "v" + i, digest(i));
    }
    big.settled().await(20, TimeUnit.SECONDS);
    assertTrue(Files.exists(file));
    PinStore small = new PinStore(vertx, file, 10);
    assertFalse(small.hasRoom(), "read up to its bound of 10");
  }
}
