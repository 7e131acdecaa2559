package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for a listener, from PEM files checked at start-up: {@code certFile} holds the server
 * certificate followed by its intermediates, {@code keyFile} its private key (PKCS#8, or PKCS#1 /
 * SEC 1), and {@code clientCaFile}, when present, the CA certificates a client certificate must
 * chain to: clients without one are then refused during the handshake.
 */
public record TlsConfig(Path certFile, Path keyFile, Optional<Path> clientCaFile) {}
