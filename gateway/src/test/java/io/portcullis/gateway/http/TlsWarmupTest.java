package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.x509.PemFiles;
import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsConfig;
import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS warm-up against listeners built from {@link ListenerOptions}, as the gateway's are, one
 * per event loop: every listener completes a TLS 1.3 and a TLS 1.2 handshake, no request reaches a
 * route, and PROXY protocol and client-certificate listeners are warmed too.
 */
class TlsWarmupTest {
  @TempDir static Path dir;
  static Vertx vertx;
  static TlsConfig tls;
  static TlsConfig mutual;

  /** Per listener (its event loop): the protocol of each connection that finished a handshake. */
  final Map<String, List<String>> handshakes = new ConcurrentHashMap<>();

  final AtomicInteger requests = new AtomicInteger();
  final List<HttpServer> servers = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void pki() throws Exception {
    vertx = Vertx.vertx();
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair pair = gen.generateKeyPair();
    X500Name name = new X500Name("CN=localhost");
    Instant now = Instant.now();
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        Date.from(now.minusSeconds(3600)),
                        Date.from(now.plusSeconds(86_400)),
                        name,
                        pair.getPublic())
                    .build(
                        new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    Path certFile = dir.resolve("tls.crt");
    Path keyFile = dir.resolve("tls.key");
    Files.writeString(certFile, PemFiles.certificates(List.of(cert)));
    Files.writeString(keyFile, PemFiles.privateKey(pair.getPrivate()));
    tls = new TlsConfig(certFile, keyFile, Optional.empty());
    // clients must chain to this CA; the warm-up has no certificate at all
    mutual = new TlsConfig(certFile, keyFile, Optional.of(certFile));
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  @AfterEach
  void closeServers() {
    servers.forEach(s -> s.close().await());
  }

  @Test
  void everyListenerCompletesBothProtocolsAndNoRequestIsMade() throws Exception {
    ServerConfig server = listen("127.0.0.1", 2, Optional.of(tls), false);

    TlsWarmup.Result result = TlsWarmup.run(vertx, server, server.port(), 1).await();

    assertEquals(4, result.handshakes());
    awaitHandshakes(4);
    assertEquals(2, handshakes.size(), "both listeners were reached: " + handshakes);
    for (List<String> protocols : handshakes.values()) {
      assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.copyOf(protocols), handshakes.toString());
    }
    assertEquals(0, requests.get(), "a handshake, never a request");
  }

  @Test
  void moreRoundsMeanMoreHandshakesWithEachListener() throws Exception {
    ServerConfig server = listen("127.0.0.1", 2, Optional.of(tls), false);

    assertEquals(12, TlsWarmup.run(vertx, server, server.port(), 3).await().handshakes());
    awaitHandshakes(12);
    handshakes.values().forEach(p -> assertEquals(6, p.size(), handshakes.toString()));
  }

  @Test
  void behindTheProxyProtocolTheConnectionStartsWithProxyUnknown() throws Exception {
    // Without the PROXY header first, this listener would take the ClientHello for a bad header
    // and close the connection: the warm-up would fail.
    ServerConfig server = listen("127.0.0.1", 1, Optional.of(tls), true);

    assertEquals(2, TlsWarmup.run(vertx, server, server.port(), 1).await().handshakes());
    awaitHandshakes(2);
    assertEquals(0, requests.get());
  }

  @Test
  void aListenerThatRequiresClientCertificatesIsWarmedThoughItRefusesTheWarmUp() throws Exception {
    ServerConfig server = listen("127.0.0.1", 1, Optional.of(mutual), false);

    assertEquals(2, TlsWarmup.run(vertx, server, server.port(), 1).await().handshakes());
    assertEquals(0, requests.get());
  }

  @Test
  void aListenerOnEveryAddressIsReachedOverLoopback() throws Exception {
    ServerConfig server = listen("0.0.0.0", 1, Optional.of(tls), false);

    assertEquals(2, TlsWarmup.run(vertx, server, server.port(), 1).await().handshakes());
    awaitHandshakes(2);
  }

  @Test
  void aWarmUpThatCannotConnectFails() throws Exception {
    ServerConfig server = listen("127.0.0.1", 1, Optional.of(tls), false);
    servers.forEach(s -> s.close().await());

    Throwable failed =
        assertThrows(Exception.class, () -> TlsWarmup.run(vertx, server, server.port(), 1).await());
    assertTrue(failed instanceof ConnectException, failed.toString());
  }

  @Test
  void aPlainListenerFailsTheWarmUp() throws Exception {
    // the warm-up is only run with server.tls; a listener that does not speak TLS is an error
    ServerConfig server = listen("127.0.0.1", 1, Optional.empty(), false);

    assertThrows(Exception.class, () -> TlsWarmup.run(vertx, server, server.port(), 1).await());
  }

  /** {@code loops} listeners on one port, each on an event loop of its own, as the gateway's. */
  private ServerConfig listen(String host, int loops, Optional<TlsConfig> with, boolean proxy)
      throws Exception {
    ServerConfig base = EventLoopContexts.listener(0, loops, Duration.ofSeconds(30));
    int port = freePort();
    ServerConfig server =
        new ServerConfig(
            host,
            port,
            base.publicUrl(),
            with,
            base.shutdownTimeout(),
            base.idleTimeout(),
            base.readHeaderTimeout(),
            base.bodyStallTimeout(),
            loops,
            proxy,
            base.nativeTransport());
    List<Context> contexts = EventLoopContexts.of(vertx, loops);
    List<String> names = new ArrayList<>();
    for (Context context : contexts) {
      HttpServer s =
          EventLoopContexts.on(
              context,
              () -> {
                String loop = Thread.currentThread().getName();
                names.add(loop);
                return vertx
                    .createHttpServer(ListenerOptions.of(server))
                    .connectionHandler(
                        c -> {
                          if (c.isSsl()) {
                            handshakes
                                .computeIfAbsent(loop, k -> new CopyOnWriteArrayList<>())
                                .add(c.sslSession().getProtocol());
                          }
                        })
                    .requestHandler(
                        req -> {
                          requests.incrementAndGet();
                          req.response().end();
                        });
              });
      servers.add(EventLoopContexts.on(context, () -> s.listen()).await());
    }
    assertEquals(loops, Set.copyOf(names).size(), "one event loop a listener");
    return server;
  }

  private void awaitHandshakes(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (handshakes.values().stream().mapToInt(List::size).sum() < n
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(n, handshakes.values().stream().mapToInt(List::size).sum(), handshakes.toString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
