package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.TlsConfig;
import io.portcullis.gateway.testing.SelfSignedTls;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS warm-up against listeners built as the gateway's are, one per event loop: every listener
 * completes a TLS 1.3 and a TLS 1.2 handshake, no request reaches a route, and PROXY protocol and
 * client-certificate listeners are warmed too.
 */
class TlsWarmupTest {
  @TempDir static Path dir;
  static Vertx vertx;
  static TlsConfig tls;
  static TlsConfig mutual;

  TestListeners listeners;

  @BeforeAll
  static void pki() throws Exception {
    vertx = Vertx.vertx();
    Path certFile = dir.resolve("tls.crt");
    Path keyFile = dir.resolve("tls.key");
    SelfSignedTls.of("localhost").write(certFile, keyFile);
    tls = new TlsConfig(certFile, keyFile, Optional.empty());
    // clients must chain to this CA; the warm-up has no certificate at all
    mutual = new TlsConfig(certFile, keyFile, Optional.of(certFile));
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  @AfterEach
  void closeListeners() {
    if (listeners != null) {
      listeners.close();
    }
  }

  @Test
  void everyListenerCompletesBothProtocolsAndNoRequestIsMade() throws Exception {
    listeners = TestListeners.start(vertx, "127.0.0.1", 2, Optional.of(tls), false);

    TlsWarmup.Result result = TlsWarmup.run(vertx, listeners.server, listeners.port(), 1).await();

    assertEquals(4, result.handshakes());
    listeners.awaitHandshakes(4);
    assertEquals(2, listeners.handshakes.size(), "both listeners: " + listeners.handshakes);
    for (List<String> protocols : listeners.handshakes.values()) {
      assertEquals(Set.of("TLSv1.3", "TLSv1.2"), Set.copyOf(protocols), protocols.toString());
    }
    assertEquals(0, listeners.requests.get(), "a handshake, never a request");
  }

  @Test
  void moreRoundsMeanMoreHandshakesWithEachListener() throws Exception {
    listeners = TestListeners.start(vertx, "127.0.0.1", 2, Optional.of(tls), false);

    assertEquals(
        12, TlsWarmup.run(vertx, listeners.server, listeners.port(), 3).await().handshakes());
    listeners.awaitHandshakes(12);
    listeners.handshakes.values().forEach(p -> assertEquals(6, p.size(), p.toString()));
  }

  @Test
  void behindTheProxyProtocolTheConnectionStartsWithProxyUnknown() throws Exception {
    // Without the PROXY header first, this listener would take the ClientHello for a bad header
    // and close the connection: the warm-up would fail.
    listeners = TestListeners.start(vertx, "127.0.0.1", 1, Optional.of(tls), true);

    assertEquals(
        2, TlsWarmup.run(vertx, listeners.server, listeners.port(), 1).await().handshakes());
    listeners.awaitHandshakes(2);
    assertEquals(0, listeners.requests.get());
  }

  @Test
  void aListenerThatRequiresClientCertificatesIsWarmedThoughItRefusesTheWarmUp() throws Exception {
    listeners = TestListeners.start(vertx, "127.0.0.1", 1, Optional.of(mutual), false);

    assertEquals(
        2, TlsWarmup.run(vertx, listeners.server, listeners.port(), 1).await().handshakes());
    assertEquals(0, listeners.requests.get());
  }

  @Test
  void aListenerOnEveryAddressIsReachedOverLoopback() throws Exception {
    listeners = TestListeners.start(vertx, "0.0.0.0", 1, Optional.of(tls), false);

    assertEquals(
        2, TlsWarmup.run(vertx, listeners.server, listeners.port(), 1).await().handshakes());
    listeners.awaitHandshakes(2);
  }

  @Test
  void aWarmUpThatCannotConnectFails() throws Exception {
    listeners = TestListeners.start(vertx, "127.0.0.1", 1, Optional.of(tls), false);
    listeners.close();

    Throwable failed =
        assertThrows(
            Exception.class,
            () -> TlsWarmup.run(vertx, listeners.server, listeners.port(), 1).await());
    assertTrue(failed instanceof ConnectException, failed.toString());
  }

  @Test
  void aPlainListenerFailsTheWarmUp() throws Exception {
    // the warm-up is only run with server.tls; a listener that does not speak TLS is an error
    listeners = TestListeners.start(vertx, "127.0.0.1", 1, Optional.empty(), false);

    assertThrows(
        Exception.class, () -> TlsWarmup.run(vertx, listeners.server, listeners.port(), 1).await());
  }
}
