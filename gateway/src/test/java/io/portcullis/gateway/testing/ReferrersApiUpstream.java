package io.portcullis.gateway.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.RegistryProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry that has the OCI 1.1 referrers API and no referrers tag: a proxy in front of Debian's
 * docker-registry (which has no referrers API) that answers {@code GET
 * /v2/<name>/referrers/sha256:<hex>} from the registry's {@code sha256-<hex>} tag and hides that
 * tag itself (404 {@code MANIFEST_UNKNOWN}). A client that finds a referrer through it has used the
 * referrers API; one that only reads the tag fallback finds nothing. Everything else is forwarded
 * as it is; bodies are small test manifests and blobs, so they are held in memory here.
 */
public final class ReferrersApiUpstream implements AutoCloseable {
  private static final Pattern REFERRERS =
      Pattern.compile("/v2/(.+)/referrers/sha256:([a-f0-9]{64})");
  private static final Pattern FALLBACK_TAG =
      Pattern.compile("/v2/.+/manifests/sha256-[a-f0-9]{64}");
  // java.net.http refuses to set these itself; the others pass through both ways
  private static final Set<String> NOT_FORWARDED =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding");

  private final String registry;
  private final HttpClient client = HttpClient.newHttpClient();
  private final ExecutorService threads = Executors.newFixedThreadPool(8);
  private final Queue<String> referrersServed = new ConcurrentLinkedQueue<>();
  private final Queue<String> tagsHidden = new ConcurrentLinkedQueue<>();
  private final HttpServer server;

  private ReferrersApiUpstream(RegistryProcess registry) throws IOException {
    this.registry = registry.url();
    // port 0: the kernel picks a free port, so concurrent test classes never collide
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts in front of {@code registry}. */
  public static ReferrersApiUpstream start(RegistryProcess registry) throws IOException {
    return new ReferrersApiUpstream(registry);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Paths of the referrers lists answered so far. */
  public List<String> referrersServed() {
    return List.copyOf(referrersServed);
  }

  /** Paths of referrers-tag manifests asked for (and answered 404) so far. */
  public List<String> tagsHidden() {
    return List.copyOf(tagsHidden);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Matcher referrers = REFERRERS.matcher(path);
      if (exchange.getRequestMethod().equals("GET") && referrers.matches()) {
        referrersServed.add(path);
        listReferrers(exchange, referrers.group(1), referrers.group(2));
      } else if (FALLBACK_TAG.matcher(path).matches()) {
        tagsHidden.add(path);
        byte[] body =
            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, 404, body);
      } else {
        forward(exchange);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void listReferrers(HttpExchange exchange, String name, String hex)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> tag =
        client.send(
            HttpRequest.newBuilder(
                    URI.create(registry + "/v2/" + name + "/manifests/sha256-" + hex))
                .header("Accept", MediaTypes.OCI_INDEX)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    byte[] body =
        tag.statusCode() == 200
            ? tag.body()
            : ("{\"schemaVersion\":2,\"mediaType\":\""
                    + MediaTypes.OCI_INDEX
                    + "\",\"manifests\":[]}")
                .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", MediaTypes.OCI_INDEX);
    send(exchange, 200, body);
  }

  private void forward(HttpExchange exchange) throws IOException, InterruptedException {
    byte[] requestBody;
    try (InputStream in = exchange.getRequestBody()) {
      requestBody = in.readAllBytes();
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(registry + exchange.getRequestURI()))
            .method(
                exchange.getRequestMethod(),
                requestBody.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(requestBody));
    for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
      if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        h.getValue().forEach(v -> request.header(h.getKey(), v));
      }
    }
    HttpResponse<byte[]> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    response
        .headers()
        .map()
        .forEach(
            (k, v) -> {
              if (!NOT_FORWARDED.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
                exchange.getResponseHeaders().put(k, v);
              }
            });
    if (exchange.getRequestMethod().equals("HEAD")) {
      response
          .headers()
          .firstValue("Content-Length")
          .ifPresent(l -> exchange.getResponseHeaders().set("Content-Length", l));
      exchange.sendResponseHeaders(response.statusCode(), -1);
      return;
    }
    send(exchange, response.statusCode(), response.body());
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
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
