package io.portcullis.gateway.testing;

import io.portcullis.testkit.RegistryProcess;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A pass-through HTTP proxy in front of a real {@link RegistryProcess} that damages blob downloads
 * on demand. Every request is forwarded as it is, bodies streamed both ways; only a {@code GET
 * /v2/<name>/blobs/sha256:<hex>} answered 200 (or 206, a range of it) gets the current {@link
 * Fault}. It also records what it {@linkplain #received() received}, headers included, which the
 * registry's access log omits.
 *
 * <pre>{@code
 * try (RegistryProcess registry = RegistryProcess.start();
 *     FaultyUpstream upstream = FaultyUpstream.start(registry)) {
 *   upstream.fault(Fault.TRUNCATE);
 *   // point the gateway at upstream.url() and pull: the pull must fail, the cache stay empty
 * }
 * }</pre>
 */
public final class FaultyUpstream implements AutoCloseable {
  /** One request as this proxy received it: method, path and headers. */
  public record Received(String method, String path, MultiMap headers) {}

  /** What happens to the body of a successful blob download. */
  public enum Fault {
    /** Forwarded untouched. */
    NONE,
    /** Same length and headers, but the byte in the middle is inverted: a digest mismatch. */
    CORRUPT,
    /** The first half at once, the rest in 4 KiB pieces every 200 ms (a slow upstream). */
    TRICKLE,
    /** The full Content-Length is announced, half the bytes sent, then the connection closed. */
    TRUNCATE
  }

  private static final Pattern BLOB_PATH = Pattern.compile("/v2/.+/blobs/sha256:[a-f0-9]{64}");
  // per RFC 9110 section 7.6.1 these describe one connection and must not be forwarded; Host is
  // replaced by the request's authority
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host");
  private static final long AWAIT_SECONDS = 10;

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final int upstreamPort;
  private final HttpClient client;
  private final AtomicLong blobGets = new AtomicLong();
  private final Queue<Received> received = new ConcurrentLinkedQueue<>();
  private volatile Fault fault = Fault.NONE;
  private volatile LocationRewrite rewrite;
  private HttpServer server;

  private FaultyUpstream(Vertx vertx, boolean ownsVertx, int upstreamPort) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.upstreamPort = upstreamPort;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(upstreamPort),
            new PoolOptions().setHttp1MaxSize(32));
  }

  /** Starts in front of {@code registry} on its own Vert.x instance, which close() shuts down. */
  public static FaultyUpstream start(RegistryProcess registry) {
    return new FaultyUpstream(Vertx.vertx(), true, registry.port()).listen();
  }

  /** Starts in front of {@code registry} on the caller's Vert.x instance. */
  public static FaultyUpstream start(Vertx vertx, RegistryProcess registry) {
    return new FaultyUpstream(vertx, false, registry.port()).listen();
  }

  /** Switches the fault for blob downloads that start from now on. */
  public void fault(Fault fault) {
    this.fault = fault;
  }

  /** The {@code Location} of upload answers with {@code status} replaced by {@code location}. */
  private record LocationRewrite(int status, String location) {}

  /**
   * From now on, answers with {@code status} to requests under {@code /blobs/uploads} carry {@code
   * location} as their {@code Location} (a lying upstream); null {@code location} stops it.
   */
  public void uploadLocation(int status, String location) {
    this.rewrite = location == null ? null : new LocationRewrite(status, location);
  }

  /** Blob downloads asked of this proxy so far, whatever their fault. */
  public long blobGets() {
    return blobGets.get();
  }

  /** Every request received so far, oldest first, with the headers it came with. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://" + hostPort();
  }

  public String hostPort() {
    return "127.0.0.1:" + server.actualPort();
  }

  public int port() {
    return server.actualPort();
  }

  /** The upstream registry's port, for tests that want to bypass the faults. */
  public int upstreamPort() {
    return upstreamPort;
  }

  @Override
  public void close() {
    // no grace period: tests leave keep-alive connections open, and a fake has nothing to drain
    await(server.shutdown(0, TimeUnit.MILLISECONDS));
    await(client.shutdown(0, TimeUnit.MILLISECONDS));
    if (ownsVertx) {
      await(vertx.close());
    }
  }

  private FaultyUpstream listen() {
    // port 0: the kernel picks a free port, so there is no race with concurrent tests
    server = await(vertx.createHttpServer().requestHandler(this::forward).listen(0, "127.0.0.1"));
    return this;
  }

  private void forward(HttpServerRequest request) {
    request.pause();
    received.add(
        new Received(
            request.method().name(),
            request.path(),
            MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
    boolean blobGet =
        request.method() == HttpMethod.GET && BLOB_PATH.matcher(request.path()).matches();
    if (blobGet) {
      blobGets.incrementAndGet();
    }
    Fault applied = blobGet ? fault : Fault.NONE;
    RequestOptions options =
        new RequestOptions()
            .setMethod(request.method())
            .setURI(request.uri())
            .setHeaders(endToEnd(request.headers()));
    client
        .request(options)
        .compose(
            upstream -> {
              // the registry builds upload Location URLs from Host: keep clients talking to us
              if (request.authority() != null) {
                upstream.authority(request.authority());
              }
              return upstream.send(request);
            })
        .onSuccess(response -> respond(request, response, applied, rewrite))
        .onFailure(e -> badGateway(request, e));
  }

  private void respond(
      HttpServerRequest request, HttpClientResponse upstream, Fault f, LocationRewrite rewrite) {
    HttpServerResponse response = request.response();
    response.setStatusCode(upstream.statusCode()).setStatusMessage(upstream.statusMessage());
    response.headers().addAll(endToEnd(upstream.headers()));
    int status = upstream.statusCode();
    if (rewrite != null
        && status == rewrite.status()
        && request.path().contains("/blobs/uploads")) {
      response.headers().set(HttpHeaders.LOCATION, rewrite.location());
    }
    boolean hasBody =
        request.method() != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    if (hasBody && !upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      response.setChunked(true);
    }
    if (f == Fault.NONE || (status != 200 && status != 206)) {
      upstream.pipe().endOnFailure(false).to(response).onFailure(e -> request.connection().close());
      return;
    }
    long length = Long.parseLong(upstream.getHeader(HttpHeaders.CONTENT_LENGTH));
    new FaultyBody(f, length, upstream, response, request.connection()).start(vertx);
  }

  private static void badGateway(HttpServerRequest request, Throwable cause) {
    HttpServerResponse response = request.response();
    if (response.headWritten()) {
      request.connection().close();
      return;
    }
    response
        .setStatusCode(502)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
        .end("faulty upstream could not reach the registry: " + cause);
  }

  private static MultiMap endToEnd(MultiMap headers) {
    MultiMap copy = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, String> header : headers) {
      if (!HOP_BY_HOP.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        copy.add(header.getKey(), header.getValue());
      }
    }
    return copy;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Vert.x did not answer in " + AWAIT_SECONDS + " s", e);
    }
  }
}
