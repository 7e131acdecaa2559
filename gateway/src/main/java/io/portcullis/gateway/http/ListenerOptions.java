package io.portcullis.gateway.http;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
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

  public static HttpServerOptions of(ServerConfig server) {
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
    server.tls().ifPresent(tls -> tls(options, tls));
    return options;
  }

  private static void tls(HttpServerOptions options, TlsConfig tls) {
    options
        .setSsl(true)
        .setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertPath(tls.certFile().toString())
                .setKeyPath(tls.keyFile().toString()));
    tls.clientCaFile()
        .ifPresent(
            ca ->
                options
                    .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                    .setClientAuth(ClientAuth.REQUIRED));
  }
}
