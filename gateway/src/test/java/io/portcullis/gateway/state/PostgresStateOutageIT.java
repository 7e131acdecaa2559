package io.portcullis.gateway.state;

import static io.portcullis.gateway.state.StateFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.config.StateConfig;
import io.portcullis.testkit.PostgresProcess;
import io.portcullis.testkit.Teardown;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The database down or silent: every call fails fast with {@link StateUnavailableException}, and
 * the same pools and the same robot feed recover by themselves when it is back. Its own PostgreSQL,
 * since it stops it.
 */
class PostgresStateOutageIT extends OwnPostgres {
  /** Connect and query deadline of the states under test. */
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  /** How long {@code call} took to fail, which it must with {@link StateUnavailableException}. */
  private static long failsUnavailable(Callable<Future<?>> call) {
    long start = System.nanoTime();
    Exception e = assertThrows(Exception.class, () -> await(call.call()));
    assertInstanceOf(StateUnavailableException.class, e, String.valueOf(e));
    assertTrue(e.getMessage().contains("is unavailable"), e.getMessage());
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void downFailsFastThenTheSamePoolsAndFeedRecoverByThemselves() throws Exception {
    String database = StateFixture.newDatabase(postgres);
    PostgresState a =
        await(PostgresState.open(vertx, StateFixture.config(postgres, database, TIMEOUT)));
    PostgresState b =
        await(PostgresState.open(vertx, StateFixture.config(postgres, database, TIMEOUT)));
    try {
      BlockingQueue<RobotFeed.Change> changes = new ArrayBlockingQueue<>(100);
      // polling far too slow to matter: only LISTEN can deliver within the test's second
      RobotFeed feed = b.robotFeed(Duration.ofMinutes(10), changes::add);
      assertEquals(Optional.empty(), changes.poll(10, TimeUnit.SECONDS).name());
      await(a.robots().create("ci", List.of("ci"), List.of(), Duration.ofDays(1)));
      TagPins.Key key = new TagPins.Key("hub", "team/app", "1");
      Digest d = Digest.sha256("one".getBytes(StandardCharsets.UTF_8));
      await(a.pins().firstSeen(key, d));

      postgres.stop();
      List<Callable<Future<?>>> calls =
          List.of(
              () -> a.pins().lookup(key),
              () -> b.pins().firstSeen(key, d),
              () -> a.robots().list(),
              () -> b.robots().revoke("ci"),
              () -> a.failedLogins().recordFailure("user:x", Duration.ofMinutes(1)),
              () -> b.keys().uploadIdKey(),
              () -> a.heartbeats().beat(),
              () -> PostgresState.open(vertx, StateFixture.config(postgres, database, TIMEOUT)));
      for (Callable<Future<?>> call : calls) {
        long took = failsUnavailable(call);
        // refused connections fail at once; the deadline bounds everything else
        assertTrue(took <= TIMEOUT.toMillis() + 1000, "failed fast: " + took + "ms");
        System.out.println("database down: failed after " + took + "ms");
      }

      changes.clear();
      postgres.startAgain();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (true) {
        try {
          assertEquals(Optional.of(d), await(a.pins().lookup(key)));
          break;
        } catch (StateUnavailableException stillDown) {
          assertTrue(System.nanoTime() < deadline, "the pool reconnects: " + stillDown);
        }
      }
      assertEquals(1, await(b.robots().list()).size());
      // the listener is back (its re-subscription says "anything may have changed") ...
      assertEquals(Optional.empty(), changes.poll(15, TimeUnit.SECONDS).name());
      assertTrue(feed.listening());
      // ... and hears a revocation on the other replica within a second
      assertTrue(await(a.robots().revoke("ci")));
      RobotFeed.Change change = changes.poll(1, TimeUnit.SECONDS);
      assertEquals(Optional.of("ci"), change == null ? null : change.name());
    } finally {
      Teardown.closeAll(() -> await(a.shutdown()), () -> await(b.shutdown()));
    }
  }

  @Test
  void aServerThatNeverAnswersIsATimeoutNotAHang() throws Exception {
    // its own Vert.x, closed here: what the abandoned attempt leaves must not hold it
    Vertx own = Vertx.vertx();
    // accepts connections (the kernel's backlog) and never says a word
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      StateConfig.Postgres config =
          new StateConfig.Postgres(
              "127.0.0.1",
              silent.getLocalPort(),
              "portcullis",
              PostgresProcess.USER,
              postgres.passwordFile(),
              Optional.empty(),
              TIMEOUT,
              TIMEOUT);
      long took = failsUnavailable(() -> PostgresState.open(own, config));
      assertTrue(took <= TIMEOUT.toMillis() + 1000, "no hang: " + took + "ms");
      System.out.println("silent database: failed after " + took + "ms");
      // Vert.x's close waits for the server's side of the abandoned connection to end
      silent.setSoTimeout(1000);
      silent.accept().close();
      long closing = System.nanoTime();
      own.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      long closed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
      assertTrue(
          closed < 5000,
          "the abandoned connection attempt leaves nothing behind: " + closed + "ms");
    }
  }
}
