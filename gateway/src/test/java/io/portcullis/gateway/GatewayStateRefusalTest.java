package io.portcullis.gateway;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway configured for shared state it cannot use yet refuses to start instead of ignoring it.
 */
class GatewayStateRefusalTest {
  @TempDir Path dir;

  @Test
  void aStateSectionIsRefusedAtStartNotSilentlyIgnored() throws Exception {
    Path password = Files.writeString(dir.resolve("pg-password"), "pw\n");
    String yaml =
        ("dataDir: '%s'\nupstreams: [{name: a, url: 'http://127.0.0.1:5100'}]\n"
                + "state: {postgres: {url: 'postgresql://127.0.0.1:5432/gw', user: gw,"
                + " passwordFile: '%s'}}\n")
            .formatted(dir.resolve("data"), password);
    GatewayConfig config = ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test.yaml");
    Vertx vertx = Vertx.vertx();
    try {
      Throwable err =
          vertx
              .executeBlocking(() -> Gateway.start(vertx, config))
              .compose(f -> f)
              .toCompletionStage()
              .toCompletableFuture()
              .handle((g, e) -> e)
              .get(10, TimeUnit.SECONDS);
      Throwable cause = err.getCause() != null ? err.getCause() : err;
      assertInstanceOf(ConfigException.class, cause);
      assertTrue(cause.getMessage().startsWith("state.postgres:"), cause.getMessage());
      assertTrue(Files.notExists(dir.resolve("data")), "nothing was prepared before refusing");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
