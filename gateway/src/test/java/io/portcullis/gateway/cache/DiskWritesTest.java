package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Cache writes asked for on different event loops land one at a time, in the order asked. */
class DiskWritesTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aWriteAskedForOnAnotherLoopWaitsForTheOneBefore() throws Exception {
    DiskWrites disk = new DiskWrites(vertx);
    List<Context> loops = EventLoopContexts.of(vertx, 2);
    Context a = loops.get(0);
    Context b = loops.get(1);
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch secondRan = new CountDownLatch(1);
    CountDownLatch secondAsked = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    a.runOnContext(
        v ->
            disk.write(
                "first",
                () -> {
                  firstStarted.countDown();
                  release.await(10, TimeUnit.SECONDS);
                  order.add("first");
                  return null;
                }));
    assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
    b.runOnContext(
        v -> {
          disk.write(
              "second",
              () -> {
                order.add("second");
                secondRan.countDown();
                return null;
              });
          secondAsked.countDown();
        });
    assertTrue(secondAsked.await(5, TimeUnit.SECONDS));
    // Before the fix the second write ran at once on another worker thread, beside the first.
    assertFalse(secondRan.await(300, TimeUnit.MILLISECONDS), "waits for the first write");
    release.countDown();
    assertTrue(secondRan.await(5, TimeUnit.SECONDS));
    assertEquals(List.of("first", "second"), order);
    disk.settle(Duration.ofSeconds(5)).await(5, TimeUnit.SECONDS);
  }
}
