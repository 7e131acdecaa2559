package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
  void concurrentFirstPinsOfOneTagAgreeOnOneDigest() throws Exception {
    // First requests for a tag decided at once on several event loops, the tag having moved
    // between their fetches: one digest is pinned and every request learns which. With put (the
    // old path) each believed its own digest pinned, and the last write won.
    PinStore pins = new PinStore(vertx, dir.resolve("pins.json"), 100);
    int threads = 8;
    for (int round = 0; round < 50; round++) {
      String tag = "v" + round;
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Optional<Digest>>> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          Digest mine = digest(t);
          all.add(
              pool.submit(
                  () -> {
                    go.await();
                    return pins.pinFirst("team/app", tag, mine);
                  }));
        }
        go.countDown();
        Set<Optional<Digest>> seen = new HashSet<>();
        for (Future<Optional<Digest>> f : all) {
          seen.add(f.get());
        }
        assertEquals(Set.of(pins.get("team/app", tag)), seen, "round " + round);
      } finally {
        pool.shutdownNow();
      }
    }
    assertEquals(Optional.of(digest(7)), pins.pinFirst("team/app", "new", digest(7)));
    assertEquals(Optional.of(digest(7)), pins.pinFirst("team/app", "new", digest(8)), "kept");
  }

  @Test
  void aFullStorePinsNoNewFirstTag() throws Exception {
    PinStore pins = new PinStore(vertx, dir.resolve("pins.json"), 1);
    assertEquals(Optional.of(digest(1)), pins.pinFirst("team/app", "v1", digest(1)));
    assertEquals(Optional.empty(), pins.pinFirst("team/app", "v2", digest(2)));
    assertEquals(Optional.of(digest(1)), pins.pinFirst("team/app", "v1", digest(3)));
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
