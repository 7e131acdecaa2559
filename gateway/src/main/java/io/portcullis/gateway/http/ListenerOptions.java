package io.portcullis.gateway.http;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * The client listener's socket and TLS options: HTTP/1.1, heads of at most 16 KiB per line (chunk
 * lines included). With {@code server.tls} only TLS 1.2 and 1.3 are offered (Vert.x's defaults);
 * with a {@code clientCaFile} a client must present a certificate that chains to it, or the
 * handshake fails.
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
