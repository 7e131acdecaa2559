package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.portcullis.core.registry.InsecureTls;
import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsConfig;
import io.portcullis.gateway.config.TlsFiles;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.testing.SelfSignedTls;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Certificate files renewed in place, against two listeners built as the gateway's: what passes the
 * start-up checks is served by every listener to new connections, open connections carry on, and
 * anything else is refused once per change while the certificate in force stays.
 */
class CertificateReloaderTest {
  static Vertx vertx;

  @TempDir Path dir;
  Path certFile;
  Path keyFile;
  SelfSignedTls first;
  TestListeners listeners;
  GatewayMetrics metrics;
  CertificateReloader reloader;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void firstCertificate() throws Exception {
    certFile = dir.resolve("tls.crt");
    keyFile = dir.resolve("tls.key");
    first = SelfSignedTls.of("gateway.test");
    first.write(certFile, keyFile);
  }

  @AfterEach
  void close() {
    if (listeners != null) {
      listeners.close();
    }
  }

  private void start(TlsConfig tls) throws Exception {
    listeners = TestListeners.start(vertx, "127.0.0.1", 2, Optional.of(tls), false);
    ServerConfig server = listeners.server;
    metrics = GatewayMetrics.prometheus();
    reloader =
        new CertificateReloader(
            vertx,
            server,
            server.port(),
            TlsFiles.read(tls, Instant.now()),
            listeners::updateTls,
            metrics);
  }

  private void start() throws Exception {
    start(new TlsConfig(certFile, keyFile, Optional.empty()));
  }

  @Test
  void aRenewedCertificateIsServedByEveryListenerToNewConnections() throws Exception {
    start();
    assertEquals(first.certificate().getSerialNumber(), servedSerial());
    SelfSignedTls renewed = SelfSignedTls.of("gateway.test");
    renewed.write(certFile, keyFile);

    assertTrue(reloader.check().await());

    // connections go to the two listeners in turn: four reach each twice
    for (int i = 0; i < 4; i++) {
      assertEquals(renewed.certificate().getSerialNumber(), servedSerial(), "connection " + i);
    }
    assertEquals(
        renewed.certificate().getSerialNumber(), reloader.current().leaf().getSerialNumber());
    assertEquals(1.0, reloads("loaded"));
    assertEquals(0.0, reloads("refused"));
    assertEquals(
        renewed.certificate().getNotAfter().getTime() / 1000.0,
        metrics.registry().get("portcullis.tls.certificate.expiry.timestamp").gauge().value());
    String scraped = metrics.scrape().orElseThrow();
    assertTrue(
        scraped.contains("\nportcullis_tls_certificate_expiry_timestamp_seconds "),
        "the README's name");
    assertTrue(scraped.contains("\nportcullis_tls_reloads_total{outcome=\"loaded\"} 1.0"), scraped);
  }

  @Test
  void aNewCertificateBesideTheOldKeyIsRefusedOnceAndTheOldOneStays() throws Exception {
    start();
    SelfSignedTls renewed = SelfSignedTls.of("gateway.test");
    // a renewal caught half-written: the certificate is new, the key is not yet
    Files.writeString(certFile, renewed.certificatePem());

    assertFalse(reloader.check().await());
    assertFalse(reloader.check().await(), "the same files again: nothing new");

    assertEquals(first.certificate().getSerialNumber(), servedSerial());
    assertEquals(1.0, reloads("refused"), "one refusal for one change");
    Files.writeString(keyFile, renewed.keyPem());
    assertTrue(reloader.check().await());
    assertEquals(renewed.certificate().getSerialNumber(), servedSerial());
    assertEquals(1.0, reloads("loaded"));
  }

  @Test
  void anExpiredCertificateOrAMissingKeyIsRefused() throws Exception {
    start();
    Instant now = Instant.now();
    SelfSignedTls.of("gateway.test", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)))
        .write(certFile, keyFile);
    assertFalse(reloader.check().await());
    Files.delete(keyFile);
    assertFalse(reloader.check().await());

    assertEquals(2.0, reloads("refused"));
    assertEquals(first.certificate().getSerialNumber(), servedSerial());
    assertEquals(
        first.certificate().getSerialNumber(), reloader.current().leaf().getSerialNumber());
  }

  @Test
  void filesRewrittenWithTheSameBytesChangeNothing() throws Exception {
    start();
    first.write(certFile, keyFile);

    assertFalse(reloader.check().await());
    assertEquals(0.0, reloads("loaded") + reloads("refused"));
  }

  @Test
  void aConnectionOpenAcrossTheReloadCarriesOn() throws Exception {
    start();
    try (SSLSocket open = connect(InsecureTls.context())) {
      assertEquals("ok", get(open));
      SelfSignedTls.of("gateway.test").write(certFile, keyFile);
      assertTrue(reloader.check().await());

      assertEquals("ok", get(open), "the same connection, after the reload");
      assertEquals(
          first.certificate().getSerialNumber(),
          ((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber());
    }
  }

  @Test
  void renewedClientCasDecideWhichClientCertificatesAreAccepted() throws Exception {
    SelfSignedTls ciA = SelfSignedTls.of("ci-a");
    SelfSignedTls ciB = SelfSignedTls.of("ci-b");
    Path clientCas = dir.resolve("client-cas.crt");
    Files.writeString(clientCas, ciA.certificatePem());
    start(new TlsConfig(certFile, keyFile, Optional.of(clientCas)));
    assertEquals("ok", request(ciA));
    assertThrows(IOException.class, () -> request(ciB));

    Files.writeString(clientCas, ciB.certificatePem());
    assertTrue(reloader.check().await());

    assertEquals("ok", request(ciB));
    assertThrows(IOException.class, () -> request(ciA));
  }

  @Test
  void aCertificateCloseToItsExpiryIsWarnedOfOnceADay() throws Exception {
    Instant now = Instant.now();
    SelfSignedTls.of("gateway.test", now.minus(Duration.ofDays(80)), now.plus(Duration.ofDays(3)))
        .write(certFile, keyFile);
    start();
    List<String> lines =
        logged(
            () -> {
              assertFalse(reloader.check().await());
              assertFalse(reloader.check().await());
            });
    assertEquals(1, lines.size(), lines.toString());
    String warning = lines.get(0);
    assertTrue(
        warning.startsWith("server.tls: the certificate for CN=gateway.test expires at"), warning);
    assertTrue(warning.endsWith("; renew " + certFile + " and " + keyFile), warning);
  }

  @Test
  void aCertificateFarFromItsExpiryIsNotWarnedOf() throws Exception {
    start();
    List<String> lines =
        logged(
            () -> {
              // SelfSignedTls.of: valid for a day; this one for a year
              Instant now = Instant.now();
              SelfSignedTls.of(
                      "gateway.test",
                      now.minus(Duration.ofHours(1)),
                      now.plus(Duration.ofDays(365)))
                  .write(certFile, keyFile);
              assertTrue(reloader.check().await());
              assertFalse(reloader.check().await());
            });
    assertTrue(lines.stream().noneMatch(l -> l.contains("expires at")), lines.toString());
  }

  /** What the reloader logged while {@code action} ran. */
  private static List<String> logged(Action action) throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(CertificateReloader.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try {
      action.run();
    } finally {
      log.detachAppender(lines);
    }
    return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @FunctionalInterface
  private interface Action {
    void run() throws Exception;
  }

  @Test
  void startedItLooksEveryReloadInterval() throws Exception {
    start(new TlsConfig(certFile, keyFile, Optional.empty(), Duration.ofMillis(100)));
    long timer = reloader.start();
    try {
      SelfSignedTls renewed = SelfSignedTls.of("gateway.test");
      renewed.write(certFile, keyFile);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!renewed.certificate().getSerialNumber().equals(servedSerial())
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(renewed.certificate().getSerialNumber(), servedSerial());
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  private double reloads(String outcome) {
    Counter c = metrics.registry().find("portcullis.tls.reloads").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  /** The serial of the certificate a new connection is served. */
  private BigInteger servedSerial() throws Exception {
    try (SSLSocket socket = connect(InsecureTls.context())) {
      socket.startHandshake();
      Certificate[] chain = socket.getSession().getPeerCertificates();
      return ((X509Certificate) chain[0]).getSerialNumber();
    }
  }

  /** A request on a new connection that presents {@code client}'s certificate. */
  private String request(SelfSignedTls client) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry(
        "client", client.key().getPrivate(), password, new Certificate[] {client.certificate()});
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    try (SSLSocket socket = connect(InsecureTls.context(keys.getKeyManagers()))) {
      return get(socket);
    }
  }

  private SSLSocket connect(SSLContext context) throws IOException {
    SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", listeners.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** One HTTP/1.1 request on {@code socket}, which stays open; the body of the answer. */
  private static String get(SSLSocket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET / HTTP/1.1\r\nHost: gateway.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    String status = in.readLine();
    if (status == null) {
      throw new IOException("the connection was closed");
    }
    int length = 0;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      int n = in.read(body, read, length - read);
      if (n < 0) {
        throw new IOException("the body was cut short");
      }
      read += n;
    }
    return new String(body);
  }
}
