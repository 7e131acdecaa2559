package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client listener's options for {@code server.proxyProtocol} (behind HAProxy's send-proxy-v2).
 */
class ListenerOptionsTest {
  private static final ServerConfig PLAIN =
      EventLoopContexts.listener(5000, 1, Duration.ofSeconds(60));

  @Test
  void noProxyProtocolUnlessConfigured() {
    assertFalse(ListenerOptions.of(PLAIN, Optional.empty()).isUseProxyProtocol());
  }

  @Test
  void theProxyHeaderIsBoundedByTheReadHeaderTimeout() {
    ServerConfig behindHaproxy =
        new ServerConfig(
            PLAIN.host(),
            PLAIN.port(),
            PLAIN.publicUrl(),
            PLAIN.tls(),
            PLAIN.shutdownTimeout(),
            PLAIN.idleTimeout(),
            Duration.ofMillis(7500),
            PLAIN.bodyStallTimeout(),
            PLAIN.eventLoops(),
            true,
            PLAIN.nativeTransport());
    HttpServerOptions options = ListenerOptions.of(behindHaproxy, Optional.empty());
    assertTrue(options.isUseProxyProtocol());
    assertEquals(
        7500,
        options.getProxyProtocolTimeoutUnit().toMillis(options.getProxyProtocolTimeout()),
        "a connection that never sends its PROXY header is closed like a trickled head");
    assertEquals(TimeUnit.MILLISECONDS, options.getProxyProtocolTimeoutUnit());
  }
}
