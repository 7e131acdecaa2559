package io.portcullis.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.http.ConnectionDeadlines;
import io.portcullis.gateway.http.RequestObserver;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One client listener per event loop on one port: started all or none, stopped all. */
class ClientListenersTest {
  private final Vertx vertx = Vertx.vertx(Main.vertxOptions(server(0, 3)));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static ServerConfig server(int port, int loops) {
    return EventLoopContexts.listener(port, loops, Duration.ofSeconds(30));
  }

  /**
   * Netty's native epoll transport where the platform has it (its library is a dependency for Linux
   * on x86-64), Java NIO when the configuration turns it off.
   */
  @Test
  void theEventLoopsUseTheNativeTransportUnlessTurnedOff() {
    assumeTrue(
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64"),
        "the native transport is packaged for Linux on x86-64 only");
    assertTrue(
        vertx.isNativeTransportEnabled(),
        () -> "native transport: " + vertx.unavailableNativeTransportCause());
    ServerConfig on = server(0, 1);
    ServerConfig off =
        new ServerConfig(
            on.host(),
            on.port(),
            on.publicUrl(),
            on.tls(),
            on.shutdownTimeout(),
            on.idleTimeout(),
            on.readHeaderTimeout(),
            on.bodyStallTimeout(),
            on.eventLoops(),
            on.proxyProtocol(),
            false);
    Vertx nio = Vertx.vertx(Main.vertxOptions(off));
    try {
      assertFalse(nio.isNativeTransportEnabled());
    } finally {
      nio.close().await();
    }
  }

  private final Set<String> loopsSeen = new HashSet<>();

  private ClientListeners start(ServerConfig config) {
    return ClientListeners.start(
            vertx,
            config,
            Optional.empty(),
            new RequestObserver(
                req -> {
                  synchronized (loopsSeen) {
                    loopsSeen.add(Thread.currentThread().getName());
                  }
                  req.response().end("ok");
                },
                GatewayMetrics.inMemory(),
                null),
            new ConnectionDeadlines(vertx, config))
        .await();
  }

  private static String get(int port) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = in.readNBytes(head, 0, head.length);
      return new String(head, 0, n, StandardCharsets.US_ASCII);
    }
  }

  @Test
  void threeListenersOnPortZeroShareOneFreePortAndEachLoopServes() throws Exception {
    ClientListeners listeners = start(server(0, 3));
    assertEquals(3, listeners.size());
    for (int i = 0; i < 12; i++) {
      assertEquals("HTTP/1.1 200", get(listeners.port()));
    }
    assertEquals(3, loopsSeen.size(), "connections handed to every loop in turn: " + loopsSeen);
    listeners.shutdown(Duration.ofSeconds(1)).await();
    assertThrows(ConnectException.class, () -> get(listeners.port()), "every listener stopped");
    assertEquals(Set.of(), vertx.deploymentIDs(), "undeployed");
  }

  @Test
  void aTakenPortFailsTheStartAndLeavesNoListenerBehind() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      Exception e = assertThrows(Exception.class, () -> start(server(port, 3)));
      assertTrue(String.valueOf(e.getMessage()).contains("Address already in use"), e.toString());
    }
    assertEquals(Set.of(), vertx.deploymentIDs(), "no listener left deployed");
  }
}
