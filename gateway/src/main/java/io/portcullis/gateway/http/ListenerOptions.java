package io.portcullis.gateway.http;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsFiles;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The client listener's socket and TLS options: HTTP/1.1, heads of at most 16 KiB per line (chunk
 * lines included). With {@code server.tls} only TLS 1.2 and 1.3 are offered (Vert.x's defaults);
 * with a {@code clientCaFile} a client must present a certificate that chains to it, or the
 * handshake fails. With {@code server.proxyProtocol} each connection starts with a PROXY protocol
 * header from the load balancer, within {@code readHeaderTimeout}.
 */
public final class ListenerOptions {
  private ListenerOptions() {}

  /** The options for {@code server}, with TLS from {@code tls}: the files as they were checked. */
  public static HttpServerOptions of(ServerConfig server, Optional<TlsFiles.Material> tls) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(server.host())
            .setPort(server.port())
            .setCompressionSupported(false)
            // HTTP/1.1 only. With cleartext HTTP/2 (h2c) detection on, Vert.x sets a connection up
            // only once it has seen the whole first head, which hid trickled heads from the
            // connection deadlines (ConnectionDeadlines).
            .setHttp2ClearTextEnabled(false)
            .setHandle100ContinueAutomatically(true)
            .setMaxInitialLineLength(16 * 1024);
    if (server.proxyProtocol()) {
      // the PROXY header comes first on a new connection: bounded like the request head after it
      options
          .setUseProxyProtocol(true)
          .setProxyProtocolTimeout(server.readHeaderTimeout().toMillis())
          .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    tls.ifPresent(material -> tls(options, material));
    return options;
  }

  /**
   * The TLS options a listener of {@code server} takes when its files change to {@code material}:
   * the same as at start-up, but for the key, certificates and client CAs.
   */
  public static ServerSSLOptions ssl(ServerConfig server, TlsFiles.Material material) {
    return of(server, Optional.of(material)).getSslOptions().copy();
  }

  private static void tls(HttpServerOptions options, TlsFiles.Material material) {
    options
        .setSsl(true)
        .setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(material.files().certificates()))
                .setKeyValue(Buffer.buffer(material.files().privateKey())));
    material
        .files()
        .clientCas()
        .ifPresent(
            cas ->
                options
                    .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(cas)))
                    .setClientAuth(ClientAuth.REQUIRED));
  }
}
