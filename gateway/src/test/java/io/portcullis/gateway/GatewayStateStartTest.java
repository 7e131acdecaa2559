package io.portcullis.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that cannot reach its shared state does not start: serving from files of its own while
 * the operator believes pins, robots and lockouts shared would resolve one tag to two digests.
 */
class GatewayStateStartTest {
  @TempDir Path dir;

  @Test
  void aReplicaWhoseDatabaseStaysUnreachableGivesUpAfterItsWindow() throws Exception {
    Path password = Files.writeString(dir.resolve("pg-password"), "s3cret-pg-pass\n");
    String yaml =
        ("dataDir: '%s'\nupstreams: [{name: a, url: 'http://127.0.0.1:5100'}]\n"
                + "state: {postgres: {url: 'postgresql://127.0.0.1:%d/gw', user: gw,"
                + " passwordFile: '%s'}}\n")
            .formatted(dir.resolve("data"), closedPort(), password);
    GatewayConfig config = ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test.yaml");
    Vertx vertx = Vertx.vertx();
    try {
      long started = System.nanoTime();
      Throwable err =
          vertx
              .executeBlocking(() -> Gateway.start(vertx, config, Duration.ofSeconds(2)))
              .compose(f -> f)
              .toCompletionStage()
              .toCompletableFuture()
              .handle((g, e) -> e)
              .get(10, TimeUnit.SECONDS);
      Throwable cause = err instanceof CompletionException ? err.getCause() : err;
      assertInstanceOf(IllegalStateException.class, cause);
      assertTrue(
          cause.getMessage().startsWith("cannot open the shared state: shared state at"),
          cause.getMessage());
      assertTrue(cause.getMessage().contains("is unavailable"), cause.getMessage());
      assertFalse(cause.getMessage().contains("s3cret"), "never the password");
      assertTrue(Files.notExists(dir.resolve("data")), "nothing was prepared before refusing");
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      // tried again (0.5 s, then 1 s later) within its window, then gave up
      assertTrue(took >= 1400 && took < 8000, "waited for the state within its window: " + took);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** A loopback port nothing listens on (bound, then released). */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
