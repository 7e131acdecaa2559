package io.portcullis.testkit;

import io.portcullis.core.x509.DevPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Notary v1 server (Debian's {@code notary-server} 0.7) on a free loopback port, over TLS
 * with a development PKI made for it ({@link DevPki}: {@code tls.crt} for {@code localhost} and
 * {@code 127.0.0.1}, trusted through {@code root.crt}), with in-memory storage and its local trust
 * service (which keeps the timestamp keys, Ed25519, in memory). It is ready when {@code
 * /_notary_server/health} answers 200 over TLS. Closing stops it and removes its directory; its
 * metadata goes with it.
 *
 * <pre>{@code
 * try (NotaryProcess notary = NotaryProcess.start()) {
 *   NotaryClient client = notary.client();
 *   client.init("127.0.0.1:5000/team/app").orThrow();
 * }
 * }</pre>
 */
public final class NotaryProcess implements AutoCloseable {
  private static final String BINARY = "notary-server";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final LocalServer server = new LocalServer(BINARY, "notary", "notary-server.log");
  private SSLContext tls;
  private String auth = "";
  private int port;
  private Duration startTime = Duration.ZERO;

  private NotaryProcess() {}

  /** Starts a server; fails (does not skip) when {@code notary-server} is not installed. */
  public static NotaryProcess start() {
    return new NotaryProcess().startFresh();
  }

  /**
   * Starts a server that asks for a token from {@code tokens} for every request ({@code "auth":
   * {"type": "token"}}, the registry token protocol), trusting the tokens it signs.
   */
  public static NotaryProcess startWithTokenAuth(TokenServer tokens) {
    NotaryProcess notary = new NotaryProcess();
    try {
      Path bundle = tokens.writeRootBundle(notary.server.dir.path());
      notary.auth =
          """
            "auth": {
              "type": "token",
              "options": {
                "realm": "%s",
                "service": "%s",
                "issuer": "%s",
                "rootcertbundle": "%s"
              }
            },
          """
              .formatted(tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, bundle);
    } catch (Exception e) {
      notary.close();
      throw new IllegalStateException("cannot configure notary-server's token auth", e);
    }
    return notary.startFresh();
  }

  /** {@code https://127.0.0.1:<port>}. */
  public String url() {
    return "https://127.0.0.1:" + port;
  }

  /** The base URL of a GUN's metadata: {@code <url>/v2/<gun>/_trust/tuf/}. */
  public URI metadataUrl(String gun) {
    return URI.create(url() + "/v2/" + gun + "/_trust/tuf/");
  }

  /** The CA certificate (PEM) the server's TLS certificate chains to. */
  public Path caCertificate() {
    return server.dir.resolve("pki/root.crt");
  }

  /** A TLS context that trusts {@link #caCertificate()} only. */
  public SSLContext sslContext() {
    return tls;
  }

  /** How long the server took from launch to a healthy answer. */
  public Duration startTime() {
    return startTime;
  }

  /** A {@code notary} client with a trust directory of its own, inside this server's directory. */
  public NotaryClient client() {
    try {
      return new NotaryClient(this, Files.createTempDirectory(server.dir.path(), "client-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a notary trust directory", e);
    }
  }

  public boolean isRunning() {
    return server.isRunning();
  }

  @Override
  public void close() {
    server.close();
  }

  /** The last lines of the server's log, to end a failure message with. */
  public String tail() {
    return server.tail();
  }

  private synchronized NotaryProcess startFresh() {
    server.requireInstalled();
    try {
      Path pki = server.dir.resolve("pki");
      DevPki.generate().writeTo(pki, false);
      tls = trusting(caCertificate());
      ProcessLog.startOnFreePorts(this::launch, server.log, "address already in use", server::kill);
      return this;
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot prepare notary-server", e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void launch() {
    port = FreePorts.loopback();
    writeConfig();
    long started = System.nanoTime();
    server.launch("-config", server.dir.resolve("server.json").toString());
    awaitHealthy();
    startTime = Duration.ofNanos(System.nanoTime() - started);
  }

  /** notary-server's configuration (docs/reference/server-config.md); paths relative to it. */
  private void writeConfig() {
    String config =
        """
        {
          "server": {
            "http_addr": "127.0.0.1:%d",
            "tls_cert_file": "pki/tls.crt",
            "tls_key_file": "pki/tls.key"
          },
        %s  "trust_service": {"type": "local"},
          "storage": {"backend": "memory"},
          "logging": {"level": "info"}
        }
        """
            .formatted(port, auth);
    try {
      Files.writeString(server.dir.resolve("server.json"), config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare notary-server", e);
    }
  }

  private void awaitHealthy() {
    HttpClient client =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create(url() + "/_notary_server/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.process().isAlive()) {
        throw new IllegalStateException(
            "notary-server exited with "
                + server.process().exitValue()
                + " before it was ready"
                + tail());
      }
      try {
        if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for notary-server", e);
      }
      RegistryProbe.pause();
    }
    throw new IllegalStateException(
        "notary-server was not healthy on " + url() + " within " + READY_TIMEOUT + tail());
  }

  private static SSLContext trusting(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry(
          "notary-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + caPem, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context trusting " + caPem, e);
    }
  }
}
