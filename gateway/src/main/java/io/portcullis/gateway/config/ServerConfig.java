package io.portcullis.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The client-facing listener. {@code publicUrl} is the base URL clients reach the gateway at, used
 * in {@code Location} headers; when absent it is taken from each request's {@code Host} header, as
 * CNCF distribution does. With {@code tls} the listener speaks only HTTPS. On shutdown the listener
 * stops accepting and gives requests in flight up to {@code shutdownTimeout} to finish.
 */
public record ServerConfig(
    String host,
    int port,
    Optional<URI> publicUrl,
    Optional<TlsConfig> tls,
    Duration shutdownTimeout) {

  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  /** The scheme clients use: {@code https} with TLS, else {@code http}. */
  public String scheme() {
    return tls.isPresent() ? "https" : "http";
  }
}
