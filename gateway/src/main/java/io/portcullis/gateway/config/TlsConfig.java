package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * TLS for a listener, from PEM files checked at start-up ({@link TlsFiles}): {@code certFile} holds
 * the server certificate followed by its intermediates, {@code keyFile} its private key (PKCS#8, or
 * PKCS#1 / SEC 1), and {@code clientCaFile}, when present, the CA certificates a client certificate
 * must chain to: clients without one are then refused during the handshake. The files are read
 * again every {@code reloadInterval}; changed files that pass the same checks replace the ones in
 * force without a restart.
 */
public record TlsConfig(
    Path certFile, Path keyFile, Optional<Path> clientCaFile, Duration reloadInterval) {

  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

  public TlsConfig(Path certFile, Path keyFile, Optional<Path> clientCaFile) {
    this(certFile, keyFile, clientCaFile, DEFAULT_RELOAD_INTERVAL);
  }
}
