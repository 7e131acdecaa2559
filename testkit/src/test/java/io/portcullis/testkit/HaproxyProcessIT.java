package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real HAProxy in front of two small HTTP servers standing for two gateway replicas. */
class HaproxyProcessIT {
  private static final String CONFIG =
      """
      global
        maxconn 256
      defaults
        mode http
        timeout connect 2s
        timeout client 10s
        timeout server 10s
        timeout check 2s
      frontend registry
        bind 127.0.0.1:${port:http}
        default_backend replicas
      backend replicas
        balance roundrobin
        option httpchk GET /readyz
        server a 127.0.0.1:%d check inter 200ms fall 2 rise 1
        server b 127.0.0.1:%d check inter 200ms fall 2 rise 1
      """;

  private HttpServer a;
  private HttpServer b;

  @BeforeEach
  void replicas() throws IOException {
    a = replica("a");
    b = replica("b");
  }

  @AfterEach
  void stopReplicas() {
    a.stop(0);
    b.stop(0);
  }

  /** Answers every path with its name. */
  private static HttpServer replica(String name) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = name.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server;
  }

  private static String get(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setRequestProperty("Connection", "close"); // one request per connection: balanced each time
    c.setConnectTimeout(5000);
    c.setReadTimeout(5000);
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  @Test
  void balancesOverBothAndStopsSendingToOneThatFailsItsHealthCheck() throws Exception {
    try (HaproxyProcess lb =
        HaproxyProcess.start(
            CONFIG.formatted(a.getAddress().getPort(), b.getAddress().getPort()))) {
      assertTrue(lb.isRunning());
      // both serve in turn (a check that was slow on a busy machine may hold one back a moment)
      Set<String> answered = new HashSet<>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (answered.size() < 2) {
        assertTrue(System.nanoTime() < until, "both answer: " + answered + lb.tail());
        try {
          answered.add(get(lb.url("http") + "/v2/"));
        } catch (IOException notYet) {
          // 503 while no server is up yet
        }
      }
      assertEquals(Set.of("a", "b"), answered);

      b.stop(0);
      // the health check takes b out within a few checks; until then a request may fail
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      int inARow = 0;
      while (inARow < 6) {
        assertTrue(System.nanoTime() < deadline, "b is taken out" + lb.tail());
        try {
          inARow = get(lb.url("http") + "/v2/").equals("a") ? inARow + 1 : 0;
        } catch (IOException beforeTheCheckNoticed) {
          inARow = 0;
        }
      }
    }
  }

  @Test
  void aConfigHaproxyRefusesFailsWithItsMessage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HaproxyProcess.start(
                    "frontend f\n  bind 127.0.0.1:${port:http}\n  default_backend missing\n"));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void closingStopsItAndAPortWithoutAPlaceholderIsRefused() throws Exception {
    HaproxyProcess lb =
        HaproxyProcess.start(CONFIG.formatted(a.getAddress().getPort(), b.getAddress().getPort()));
    int port = lb.port("http");
    assertEquals(port, URI.create(lb.url("http")).getPort());
    assertThrows(IllegalArgumentException.class, () -> lb.port("stats"));
    lb.close();
    assertFalse(lb.isRunning());
    assertThrows(IOException.class, () -> get("http://127.0.0.1:" + port + "/v2/"));
  }
}
