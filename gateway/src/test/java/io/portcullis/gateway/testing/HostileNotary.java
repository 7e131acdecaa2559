package io.portcullis.gateway.testing;

import io.portcullis.testkit.NotaryProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Notary server turned hostile: a plain-HTTP proxy on loopback in front of a real {@link
 * NotaryProcess} (TLS) that answers the GETs of one metadata file ({@code root.json}, {@code
 * timestamp.json}, ...) with the current {@link Fault} instead of the real bytes. Every other
 * request, and every request while the fault is {@code NONE}, is forwarded untouched, so a GUN
 * signed on the real server verifies through this one until the fault is switched on.
 *
 * <pre>{@code
 * try (HostileNotary hostile = HostileNotary.start(notary)) {
 *   hostile.fault(Fault.ENDLESS, "timestamp.json");
 *   // a trust store with server: hostile.url() must answer promptly, with an OCI error
 * }
 * }</pre>
 */
public final class HostileNotary implements AutoCloseable {
  /** What the server answers for the faulted file. */
  public enum Fault {
    /** The real server's answer. */
    NONE,
    /** {@code Content-Length} of {@link #HUGE_BYTES}, then that many bytes as fast as read. */
    HUGE,
    /** Chunked, no length, bytes for as long as the client reads. */
    ENDLESS,
    /** Headers at once, then one byte a second, never ending. */
    TRICKLE,
    /** The request is read and never answered; the connection stays open. */
    SILENT,
    /** {@code 500 Internal Server Error}. */
    ERROR,
    /** {@code 404 Not Found}. */
    MISSING,
    /** {@code 200} with bytes that are not JSON. */
    GARBAGE,
    /**
     * {@code 401} with a Bearer challenge whose realm is this server's {@code /token}, which
     * answers as {@code TRICKLE} does.
     */
    TOKEN_TRICKLE,
    /** The real server's answer, after {@link #SLOW_MS}. */
    SLOW
  }

  /** How long {@link Fault#SLOW} holds each answer back. */
  public static final long SLOW_MS = 4000;

  /** The file name that makes a fault apply to every metadata file. */
  public static final String EVERY_FILE = "*";

  /** What {@link Fault#HUGE} announces: 512 MiB, far beyond any real metadata file. */
  public static final long HUGE_BYTES = 512L * 1024 * 1024;

  private static final Buffer FILLER = Buffer.buffer(new byte[64 * 1024]);
  private static final long AWAIT_SECONDS = 10;
  private static final String WWW_AUTHENTICATE = "WWW-Authenticate";

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client;
  private final AtomicLong faulted = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private volatile Fault fault = Fault.NONE;
  private volatile String file = "";
  private HttpServer server;

  private HostileNotary(NotaryProcess notary) {
    URI real = URI.create(notary.url());
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(
                    new PemTrustOptions()
                        .addCertPath(notary.caCertificate().toAbsolutePath().toString()))
                .setDefaultHost(real.getHost())
                .setDefaultPort(real.getPort()));
  }

  /** Starts in front of {@code notary}, on a free loopback port, with no fault. */
  public static HostileNotary start(NotaryProcess notary) {
    HostileNotary hostile = new HostileNotary(notary);
    hostile.server =
        await(
            hostile
                .vertx
                .createHttpServer()
                .requestHandler(hostile::handle)
                .listen(0, "127.0.0.1"));
    return hostile;
  }

  /**
   * From now on, GETs of {@code fileName} (the last path segment, such as {@code root.json}) in any
   * GUN get {@code fault}; {@link #EVERY_FILE} for all of them.
   */
  public void fault(Fault fault, String fileName) {
    this.file = fileName;
    this.fault = fault;
  }

  /** How many requests got a fault other than {@code NONE} so far. */
  public long faulted() {
    return faulted.get();
  }

  /** How many bytes the faults sent so far ({@code HUGE}, {@code ENDLESS}, {@code TRICKLE}). */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  @Override
  public void close() {
    await(server.shutdown(0, TimeUnit.MILLISECONDS));
    await(client.shutdown(0, TimeUnit.MILLISECONDS));
    await(vertx.close());
  }

  private void handle(HttpServerRequest request) {
    Fault f = fault;
    if (request.path().equals("/token")) {
      trickle(request.response());
      return;
    }
    String name = file;
    boolean hit =
        f != Fault.NONE
            && request.method() == HttpMethod.GET
            && request.path().contains("/_trust/tuf/")
            && (name.equals(EVERY_FILE) || request.path().endsWith("/_trust/tuf/" + name));
    if (!hit) {
      forward(request);
      return;
    }
    faulted.incrementAndGet();
    HttpServerResponse response = request.response();
    switch (f) {
      case HUGE -> {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(HUGE_BYTES));
        flood(response, HUGE_BYTES);
      }
      case ENDLESS -> {
        response.setChunked(true);
        flood(response, Long.MAX_VALUE);
      }
      case TRICKLE -> trickle(response);
      case SILENT -> {
        // read and never answered: the connection is held until the client gives up
      }
      case ERROR -> response.setStatusCode(500).end("internal error");
      case MISSING ->
          response.setStatusCode(404).end("{\"errors\":[{\"code\":\"METADATA_NOT_FOUND\"}]}");
      case GARBAGE ->
          response
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(
                  Buffer.buffer(
                      "{\"signed\": [1, 2,\u0000 not json".getBytes(StandardCharsets.UTF_8)));
      case TOKEN_TRICKLE ->
          response
              .setStatusCode(401)
              .putHeader(
                  WWW_AUTHENTICATE,
                  "Bearer realm=\"" + url() + "/token\",service=\"hostile-notary\"")
              .end();
      case SLOW -> vertx.setTimer(SLOW_MS, id -> forward(request));
      default -> throw new IllegalStateException("unhandled fault " + f);
    }
  }

  /** Headers at once, then a byte a second until the client goes away. */
  private void trickle(HttpServerResponse response) {
    response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    response.write("{");
    long timer =
        vertx.setPeriodic(
            1000,
            id -> {
              bytesSent.incrementAndGet();
              response.write(" ");
            });
    response.closeHandler(v -> vertx.cancelTimer(timer));
  }

  /** Zeros up to {@code length} bytes, with backpressure, until the client goes away. */
  private void flood(HttpServerResponse response, long length) {
    long[] left = {length};
    boolean[] closed = {false};
    response.closeHandler(v -> closed[0] = true);
    response.exceptionHandler(e -> closed[0] = true);
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (!closed[0] && left[0] > 0 && !response.writeQueueFull()) {
            int n = (int) Math.min(FILLER.length(), left[0]);
            response.write(n == FILLER.length() ? FILLER : FILLER.getBuffer(0, n));
            left[0] -= n;
            bytesSent.addAndGet(n);
          }
          if (left[0] == 0) {
            response.end();
          } else if (!closed[0]) {
            response.drainHandler(v -> pump[0].run());
          }
        };
    pump[0].run();
  }

  /** The real server's answer to a GET, its body whole (metadata files are small). */
  private void forward(HttpServerRequest request) {
    client
        .request(request.method(), request.uri())
        .compose(
            out -> {
              request.headers().forEach((name, value) -> copyHeader(out, name, value));
              return out.send();
            })
        .onSuccess(real -> relay(request.response(), real))
        .onFailure(e -> request.response().setStatusCode(502).end("hostile notary: " + e));
  }

  private static void copyHeader(io.vertx.core.http.HttpClientRequest out, String name, String v) {
    if (name.equalsIgnoreCase("authorization") || name.equalsIgnoreCase("accept")) {
      out.putHeader(name, v);
    }
  }

  private static void relay(HttpServerResponse response, HttpClientResponse real) {
    response.setStatusCode(real.statusCode());
    String type = real.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, type);
    }
    String challenge = real.getHeader(WWW_AUTHENTICATE);
    if (challenge != null) {
      response.putHeader(WWW_AUTHENTICATE, challenge);
    }
    real.body().onSuccess(response::end).onFailure(e -> response.reset());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(AWAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Vert.x did not answer in " + AWAIT_SECONDS + " s", e);
    }
  }
}
