package io.portcullis.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The client-facing listener. {@code publicUrl} is the base URL clients reach the gateway at, used
 * in {@code Location} headers; when absent it is taken from each request's {@code Host} header, as
 * CNCF distribution does. With {@code tls} the listener speaks only HTTPS. On shutdown the listener
 * stops accepting and gives requests in flight up to {@code shutdownTimeout} to finish.
 *
 * <p>Three deadlines keep a client from holding a connection without using it: a new connection
 * must deliver a complete request head within {@code readHeaderTimeout}; a connection with no
 * request in flight (between keep-alive requests, or a next head that never completes) is closed
 * after {@code idleTimeout}; and a request body that makes no progress for {@code bodyStallTimeout}
 * is answered 408 and its connection closed. None limits how long a slow but moving transfer takes.
 *
 * <p>{@code eventLoops} client listeners share the port, one per Vert.x event loop, so client I/O
 * and blob hashing use every core instead of the one loop a single listener is bound to.
 *
 * <p>With {@code nativeTransport} (the default) the event loops use Netty's native epoll transport
 * where the platform has it (Linux on x86-64), and Java NIO elsewhere or when it is false; the
 * start-up line says which.
 *
 * <p>With {@code proxyProtocol} every connection must begin with a PROXY protocol header (v1 or v2,
 * as HAProxy's {@code send-proxy-v2} sends it), and the client address it carries is the one the
 * gateway sees: failed-login limits, quotas, audit and access logs count real clients rather than
 * the load balancer. A connection without one is closed. Only for a listener that nothing but the
 * load balancer can reach, since whoever connects states the address.
 *
 * @see <a href="https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt">The PROXY protocol</a>
 */
public record ServerConfig(
    String host,
    int port,
    Optional<URI> publicUrl,
    Optional<TlsConfig> tls,
    Duration shutdownTimeout,
    Duration idleTimeout,
    Duration readHeaderTimeout,
    Duration bodyStallTimeout,
    int eventLoops,
    boolean proxyProtocol,
    boolean nativeTransport) {

  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_READ_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BODY_STALL_TIMEOUT = Duration.ofSeconds(60);

  /** More listeners than this would only add contexts to switch between. */
  public static final int MAX_EVENT_LOOPS = 256;

  /** One event loop per core the JVM may use. */
  public static int defaultEventLoops() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** A copy listening on another port. */
  public ServerConfig withPort(int otherPort) {
    return new ServerConfig(
        host,
        otherPort,
        publicUrl,
        tls,
        shutdownTimeout,
        idleTimeout,
        readHeaderTimeout,
        bodyStallTimeout,
        eventLoops,
        proxyProtocol,
        nativeTransport);
  }

  /** The scheme clients use: {@code https} with TLS, else {@code http}. */
  public String scheme() {
    return tls.isPresent() ? "https" : "http";
  }
}
