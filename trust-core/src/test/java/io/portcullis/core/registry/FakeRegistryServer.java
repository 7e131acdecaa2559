package io.portcullis.core.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted HTTPS server (self-signed, so clients must name it insecure) on a free loopback port,
 * for the protocol corners a real registry will not produce on demand (token services, odd
 * challenges, redirects, lying digests, 503s). It records each request's method, path and
 * Authorization header.
 */
final class FakeRegistryServer implements AutoCloseable {

  /** One recorded request. */
  record Seen(String method, String pathAndQuery, String authorization) {}

  /** A scripted reply. */
  @FunctionalInterface
  interface Script {
    void reply(HttpExchange exchange) throws IOException;
  }

  private final HttpsServer server;
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  FakeRegistryServer(Map<String, Script> routes) {
    try {
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(SelfSignedTls.serverContext()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getRawPath();
          String query = exchange.getRequestURI().getRawQuery();
          seen.add(
              new Seen(
                  exchange.getRequestMethod(),
                  path + (query == null ? "" : "?" + query),
                  exchange.getRequestHeaders().getFirst("Authorization")));
          exchange.getRequestBody().readAllBytes();
          Script script = routes.get(exchange.getRequestMethod() + " " + path);
          if (script == null) {
            script = routes.get("* " + path);
          }
          if (script == null) {
            send(exchange, 404, "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"no\"}]}");
          } else {
            script.reply(exchange);
          }
          exchange.close();
        });
    server.start();
  }

  String hostAndPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  long count(String pathPrefix) {
    return seen.stream().filter(s -> s.pathAndQuery().startsWith(pathPrefix)).count();
  }

  static void send(HttpExchange exchange, int status, String body) throws IOException {
    send(exchange, status, body.getBytes(StandardCharsets.UTF_8));
  }

  static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
