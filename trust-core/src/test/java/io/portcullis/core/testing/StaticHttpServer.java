package io.portcullis.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server (own free port) that serves a fixed set of paths and answers 404 for the
 * rest, standing in for a TUF repository or a mirror. Paths are mapped explicitly, so a test says
 * which files the repository has, as sigstore-java's {@code setupMirror} does.
 */
public final class StaticHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  public StaticHttpServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL, ending in a slash. */
  public URI uri() {
    return URI.create(
        "http://"
            + server.getAddress().getHostString()
            + ":"
            + server.getAddress().getPort()
            + "/");
  }

  public StaticHttpServer put(String path, byte[] bytes) {
    files.put(path, bytes.clone());
    return this;
  }

  /** Serves {@code file} at {@code path}. */
  public StaticHttpServer put(String path, Path file) {
    try {
      return put(path, Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serves each of {@code names} from {@code dir} under the same relative path. */
  public StaticHttpServer putAll(Path dir, String... names) {
    for (String name : names) {
      put(name, dir.resolve(name));
    }
    return this;
  }

  /** The paths requested so far, in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().substring(1);
      requests.add(path);
      byte[] body = files.get(path);
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
