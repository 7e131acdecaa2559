package io.portcullis.gateway.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A hostile upstream: it answers every blob and manifest GET or HEAD with a redirect to wherever
 * the test says (another upstream's blob, a loopback service, the cloud metadata address), carrying
 * a signed-looking query string as storage backends do. It also serves fixed content at chosen
 * paths, so a second instance plays the CDN an honest registry redirects to, or a loopback service
 * that counts who reached it.
 */
public final class RedirectingUpstream implements AutoCloseable {
  /** The query a redirect carries: secret, so it must never show in a log or an answer. */
  public static final String SIGNED_QUERY = "X-Amz-Signature=s3cr3t-redirect-token";

  /** One request received: method, path and whether it carried credentials. */
  public record Received(String method, String path, boolean authorized) {}

  private static final Pattern ARTIFACT = Pattern.compile("/v2/.+/(blobs|manifests)/[^/]+");

  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final Map<String, byte[]> content = new ConcurrentHashMap<>();
  private final Queue<Received> received = new ConcurrentLinkedQueue<>();
  private final HttpServer server;
  private final String host;
  private volatile String redirectBase;
  private volatile int redirectStatus = 307;

  private RedirectingUpstream(InetAddress bind) throws IOException {
    // port 0: the kernel picks a free port, so concurrent test classes never collide
    server = HttpServer.create(new InetSocketAddress(bind, 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
    String literal = bind.getHostAddress();
    host = bind instanceof Inet6Address ? "[" + literal + "]" : literal;
  }

  /** Listens on {@code 127.0.0.1}. */
  public static RedirectingUpstream onLoopback() throws IOException {
    return new RedirectingUpstream(InetAddress.getLoopbackAddress());
  }

  /** Listens on {@code address} (e.g. the machine's own non-loopback address). */
  public static RedirectingUpstream on(InetAddress address) throws IOException {
    return new RedirectingUpstream(address);
  }

  /** {@code http://<address>:<port>}. */
  public String url() {
    return "http://" + host + ":" + server.getAddress().getPort();
  }

  /**
   * From now on, blob and manifest requests are answered {@code status} with {@code Location:
   * <base><path>?}{@value #SIGNED_QUERY}; null {@code base} stops it (they get 404).
   */
  public void redirectTo(int status, String base) {
    this.redirectStatus = status;
    this.redirectBase = base;
  }

  /** Answers GET {@code path} with {@code bytes}, whatever redirects are set. */
  public void serve(String path, byte[] bytes) {
    content.put(path, bytes);
  }

  /** Every request received so far, oldest first. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      received.add(
          new Received(method, path, exchange.getRequestHeaders().containsKey("Authorization")));
      byte[] body = content.get(path);
      String base = redirectBase;
      if (body == null && path.equals("/v2/")) {
        body = "{}".getBytes(StandardCharsets.UTF_8);
      }
      if (body != null) {
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        send(exchange, method, 200, body);
      } else if (base != null && ARTIFACT.matcher(path).matches()) {
        exchange.getResponseHeaders().add("Location", base + path + "?" + SIGNED_QUERY);
        send(exchange, method, redirectStatus, new byte[0]);
      } else {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        send(
            exchange,
            method,
            404,
            "{\"errors\":[{\"code\":\"NOT_FOUND\",\"message\":\"no such path\"}]}"
                .getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static void send(HttpExchange exchange, String method, int status, byte[] body)
      throws IOException {
    if (method.equals("HEAD") || body.length == 0) {
      exchange.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
