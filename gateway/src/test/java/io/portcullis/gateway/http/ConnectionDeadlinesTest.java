package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.testing.EventLoopContexts;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection deadlines on a real listener: the body-stall clock stops while the gateway itself
 * holds a body, and no timer outlives its connection.
 */
class ConnectionDeadlinesTest {
  private static final Duration STALL = Duration.ofSeconds(1);
  private final Vertx vertx = Vertx.vertx();
  private ConnectionDeadlines deadlines;
  private HttpServer server;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private int listen(Handler<HttpServerRequest> api) {
    ServerConfig config = EventLoopContexts.listener(0, 1, STALL);
    deadlines = new ConnectionDeadlines(vertx, config);
    server =
        vertx
            .createHttpServer(ListenerOptions.of(config, Optional.empty()))
            .connectionHandler(deadlines)
            .requestHandler(new RequestObserver(api, GatewayMetrics.inMemory(), deadlines))
            .listen()
            .await();
    return server.actualPort();
  }

  private static Socket post(int port, byte[] body) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    out.write(
        ("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return s;
  }

  private static String statusLine(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII).strip();
  }

  /** Waits (up to 5 s) for {@code count} to reach zero; the deadlines' own clock is seconds. */
  private static void awaitZero(IntSupplier count, String what) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (count.getAsInt() != 0 && System.nanoTime() < end) {
      Thread.onSpinWait();
      Thread.sleep(10);
    }
    assertEquals(0, count.getAsInt(), what);
  }

  @Test
  void aBodyTheGatewayHoldsLongerThanTheStallDeadlineIsNoClientStall() throws Exception {
    // The body is all sent at once; the gateway then holds it for 2.5 stall deadlines (as when
    // authenticating or opening the upstream session is slow), then reads it. Before the fix the
    // held time counted as the client's stall: 408 after one second.
    int port =
        listen(
            req -> {
              ClientBody.hold(req);
              vertx.setTimer(
                  STALL.toMillis() * 5 / 2,
                  t ->
                      io.portcullis.gateway.upstream.Bodies.collect(ClientBody.stream(req), 1 << 20)
                          .onSuccess(b -> req.response().setStatusCode(201).end())
                          .onFailure(err -> req.response().setStatusCode(500).end()));
            });
    try (Socket s = post(port, new byte[4096])) {
      assertEquals("HTTP/1.1 201 Created", statusLine(s));
    }
  }

  @Test
  void aBodyThatStopsWhileTheGatewayReadsIsStillAStall() throws Exception {
    int port = listen(req -> ClientBody.stream(req).handler(b -> {}).resume());
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf"
                  .getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      assertEquals("HTTP/1.1 408 Request Timeout", statusLine(s));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= STALL.toMillis() - 100 && ms < 5 * STALL.toMillis(), "after " + ms);
    }
  }

  @Test
  void noTimerOutlivesItsConnection() throws Exception {
    // Bodies that never finish: each request keeps its body watch and its connection a deadline.
    int port = listen(req -> ClientBody.stream(req).handler(b -> {}).resume());
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Socket s = new Socket("127.0.0.1", port);
      if (i % 2 == 0) {
        s.getOutputStream()
            .write(
                "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx"
                    .getBytes(StandardCharsets.US_ASCII));
      }
      sockets.add(s);
    }
    // Half wait for a head (head deadline), half stream a body (body watch).
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while ((deadlines.pending() < 10 || ClientBody.watched() < 10) && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertTrue(deadlines.pending() >= 10, "head deadlines pending: " + deadlines.pending());
    assertEquals(10, ClientBody.watched(), "bodies watched");
    for (Socket s : sockets) {
      s.close();
    }
    // Well before any deadline (30 s) could fire: closing is what clears them.
    awaitZero(deadlines::pending, "connection deadlines left after their connections closed");
    awaitZero(ClientBody::watched, "body watches left after their connections closed");
  }
}
