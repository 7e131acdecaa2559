package io.portcullis.gateway.http;

import io.portcullis.core.registry.InsecureTls;
import io.portcullis.gateway.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * TLS handshakes with the gateway's own client listener, over loopback, before the gateway says it
 * is ready.
 *
 * <p>Why: Vert.x builds a listener's TLS context on its first connection (for Netty that means
 * reading the PEM files again and loading a crypto provider: some 500 classes), and a fresh JVM
 * runs that first handshake interpreted. It took 0.3 to 0.5 s on an idle 2-core machine against 15
 * ms once warm; on a busy host, in a CPU-limited container, the first client after a start waited
 * over 10 s, Go's TLS handshake timeout, so skopeo gave up on a replica that {@code /readyz} had
 * just called ready. Handshakes run in memory on a worker warmed the JDK but not Vert.x's lazy
 * context, so the warm-up goes through the listener itself.
 *
 * <p>Each connection completes a handshake and closes without a request: nothing reaches the access
 * log, the audit log or a route. With {@code server.proxyProtocol} it first sends {@code PROXY
 * UNKNOWN}, the form the PROXY protocol gives a load balancer's own health checks. With a {@code
 * clientCaFile} the handshake is refused for want of a client certificate, after the server's side
 * of it has run, which is what is warmed. The client accepts the certificate it is shown, since it
 * sends nothing and connects to the port the gateway has just bound.
 */
public final class TlsWarmup {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private TlsWarmup() {}

  /** What the warm-up did: handshakes run and the time they took. */
  public record Result(int handshakes, Duration took) {}

  /**
   * On a worker thread, {@code rounds} rounds of a TLS 1.3 and a TLS 1.2 handshake with each of the
   * {@code server.eventLoops()} listeners on {@code port}; fails if one cannot connect.
   */
  public static Future<Result> run(Vertx vertx, ServerConfig server, int port, int rounds) {
    return vertx.executeBlocking(() -> handshakes(server, port, rounds), false);
  }

  static Result handshakes(ServerConfig server, int port, int rounds) throws IOException {
    long start = System.nanoTime();
    InetSocketAddress target = new InetSocketAddress(loopbackFor(server.host()), port);
    SSLContext context = InsecureTls.context();
    boolean clientCertificates = server.tls().flatMap(t -> t.clientCaFile()).isPresent();
    int done = 0;
    // Vert.x hands accepted connections to the listeners in turn, so a protocol's handshakes, one
    // after the other, meet each listener once.
    for (int round = 0; round < rounds; round++) {
      for (String protocol : PROTOCOLS) {
        for (int listener = 0; listener < server.eventLoops(); listener++) {
          handshake(context, target, protocol, server.proxyProtocol(), clientCertificates);
          done++;
        }
      }
    }
    return new Result(done, Duration.ofNanos(System.nanoTime() - start));
  }

  private static void handshake(
      SSLContext context,
      InetSocketAddress target,
      String protocol,
      boolean proxyProtocol,
      boolean clientCertificates)
      throws IOException {
    int timeout = (int) TIMEOUT.toMillis();
    try (Socket plain = new Socket()) {
      plain.connect(target, timeout);
      plain.setSoTimeout(timeout);
      if (proxyProtocol) {
        OutputStream out = plain.getOutputStream();
        out.write("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      try (SSLSocket tls =
          (SSLSocket)
              context
                  .getSocketFactory()
                  .createSocket(plain, target.getHostString(), target.getPort(), false)) {
        tls.setEnabledProtocols(new String[] {protocol});
        tls.startHandshake();
      } catch (SSLException | SocketException refused) {
        // refused for want of a client certificate: with TLS 1.2 the server may close before the
        // client has finished writing
        if (!clientCertificates) {
          throw refused;
        }
      }
    }
  }

  private static InetAddress loopbackFor(String host) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    if (address.isAnyLocalAddress()) {
      return address instanceof Inet6Address
          ? InetAddress.getByName("::1")
          : InetAddress.getLoopbackAddress();
    }
    return address;
  }
}
