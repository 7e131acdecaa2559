package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsConfig;
import io.portcullis.gateway.config.TlsFiles;
import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listeners built from {@link ListenerOptions} as the gateway's are, one per event loop on one
 * port, that count what reaches them: the protocol of each finished TLS handshake, per listener,
 * and the requests (each answered 200).
 */
final class TestListeners implements AutoCloseable {
  final ServerConfig server;

  /** Per listener (its event loop): the protocol of each connection that finished a handshake. */
  final Map<String, List<String>> handshakes = new ConcurrentHashMap<>();

  final AtomicInteger requests = new AtomicInteger();
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

  private TestListeners(ServerConfig server) {
    this.server = server;
  }

  /** {@code loops} listeners on a free port of {@code host}. */
  static TestListeners start(
      Vertx vertx, String host, int loops, Optional<TlsConfig> tls, boolean proxyProtocol)
      throws Exception {
    ServerConfig base = EventLoopContexts.listener(0, loops, Duration.ofSeconds(30));
    ServerConfig server =
        new ServerConfig(
            host,
            freePort(),
            base.publicUrl(),
            tls,
            base.shutdownTimeout(),
            base.idleTimeout(),
            base.readHeaderTimeout(),
            base.bodyStallTimeout(),
            loops,
            proxyProtocol,
            base.nativeTransport());
    Optional<TlsFiles.Material> material = tls.map(t -> TlsFiles.read(t, Instant.now()));
    TestListeners listeners = new TestListeners(server);
    List<String> names = new ArrayList<>();
    for (Context context : EventLoopContexts.of(vertx, loops)) {
      HttpServer s =
          EventLoopContexts.on(
              context,
              () -> {
                String loop = Thread.currentThread().getName();
                names.add(loop);
                return vertx
                    .createHttpServer(ListenerOptions.of(server, material))
                    .connectionHandler(
                        c -> {
                          if (c.isSsl()) {
                            listeners
                                .handshakes
                                .computeIfAbsent(loop, k -> new CopyOnWriteArrayList<>())
                                .add(c.sslSession().getProtocol());
                          }
                        })
                    .requestHandler(
                        req -> {
                          listeners.requests.incrementAndGet();
                          req.response().end("ok");
                        });
              });
      listeners.servers.add(EventLoopContexts.on(context, () -> s.listen()).await());
    }
    assertEquals(loops, Set.copyOf(names).size(), "one event loop a listener");
    return listeners;
  }

  int port() {
    return server.port();
  }

  /** As the gateway's {@code ClientListeners.updateTls}: every listener takes the options. */
  Future<?> updateTls(ServerSSLOptions options) {
    return Future.all(servers.stream().map(s -> s.updateSSLOptions(options.copy())).toList());
  }

  int handshakeCount() {
    return handshakes.values().stream().mapToInt(List::size).sum();
  }

  /** Waits up to 10 s for {@code n} finished handshakes in all. */
  void awaitHandshakes(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (handshakeCount() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(n, handshakeCount(), handshakes.toString());
  }

  @Override
  public void close() {
    servers.forEach(s -> s.close().await());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
