package io.portcullis.core.tuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP remote bounds what a hostile or dead mirror can cost: bytes, time and redirects. */
class HttpTufRemoteTest {
  private final HttpServer server = start();
  private final CountDownLatch release = new CountDownLatch(1);

  private static HttpServer start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/repo");
  }

  private HttpTufRemote remote() {
    return new HttpTufRemote(base(), Duration.ofSeconds(2));
  }

  private void serve(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  private static void answer(HttpExchange exchange, int status, long length, byte[] body)
      throws IOException {
    try (exchange) {
      exchange.sendResponseHeaders(status, length);
      if (length >= 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Test
  void pathsAreResolvedUnderTheBaseAndA404IsEmpty() throws Exception {
    serve("/repo/1.root.json", e -> answer(e, 200, 3, new byte[] {1, 2, 3}));
    assertArrayEquals(new byte[] {1, 2, 3}, remote().fetch("1.root.json", 3).orElseThrow());
    assertTrue(remote().fetch("2.root.json", 10).isEmpty());
  }

  @Test
  void aDeclaredLengthOverTheCapIsRefused() {
    serve("/repo/big", e -> answer(e, 200, 100, new byte[100]));
    assertThrows(TufException.TooLarge.class, () -> remote().fetch("big", 99));
  }

  @Test
  void aChunkedBodyIsCutOffAtTheCap() {
    serve("/repo/endless", e -> answer(e, 200, 0, new byte[64 * 1024]));
    assertThrows(TufException.TooLarge.class, () -> remote().fetch("endless", 1000));
  }

  @Test
  void redirectsAreFollowedOnlyWithinTheSameScheme() throws Exception {
    serve(
        "/repo/moved",
        e -> {
          e.getResponseHeaders().add("Location", "/repo/here");
          answer(e, 302, -1, null);
        });
    serve("/repo/here", e -> answer(e, 200, 1, new byte[] {7}));
    serve(
        "/repo/elsewhere",
        e -> {
          e.getResponseHeaders().add("Location", "file:///etc/passwd");
          answer(e, 302, -1, null);
        });
    assertArrayEquals(new byte[] {7}, remote().fetch("moved", 10).orElseThrow());
    TufException e =
        assertThrows(TufException.FetchFailed.class, () -> remote().fetch("elsewhere", 10));
    assertTrue(e.getMessage().contains("another scheme"), e.getMessage());
  }

  @Test
  void serverErrorsAndDeadServersAreNetworkFailures() {
    serve("/repo/broken", e -> answer(e, 500, -1, null));
    assertTrue(
        assertThrows(TufException.FetchFailed.class, () -> remote().fetch("broken", 10))
            .isNetworkFailure());
    HttpTufRemote dead =
        new HttpTufRemote(URI.create("http://127.0.0.1:1/"), Duration.ofSeconds(2));
    assertThrows(TufException.FetchFailed.class, () -> dead.fetch("timestamp.json", 10));
  }

  @Test
  void aServerThatNeverAnswersTimesOut() {
    serve(
        "/repo/hang",
        e -> {
          try {
            release.await();
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
          }
          e.close();
        });
    HttpTufRemote remote = new HttpTufRemote(base(), Duration.ofMillis(300));
    assertThrows(TufException.FetchFailed.class, () -> remote.fetch("hang", 10));
  }

  @Test
  void aBodyThatStallsAfterTheHeadersTimesOut() {
    // the request timeout covers the headers only; a mirror that then trickles or stops must
    // not hold the refresh (and every caller waiting on it) for ever
    serve(
        "/repo/stall",
        e -> {
          e.sendResponseHeaders(200, 100);
          e.getResponseBody().write(new byte[10]);
          e.getResponseBody().flush();
          try {
            release.await();
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
          }
          e.close();
        });
    HttpTufRemote remote = new HttpTufRemote(base(), Duration.ofMillis(300));
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> assertThrows(TufException.FetchFailed.class, () -> remote.fetch("stall", 1000)));
  }

  @Test
  void aPathThatIsNoUrlIsMalformedNotAnUncheckedException() {
    assertThrows(TufException.Malformed.class, () -> remote().fetch("a b|c", 10));
  }

  @Test
  void onlyHttpRepositoriesAreAccepted() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new HttpTufRemote(URI.create("file:///tmp/repo"), Duration.ofSeconds(1)));
  }

  @Test
  void redirectsAndASlowBodyShareOneDeadline() {
    // each step in time on its own, but together far beyond the timeout: the fetch must not take
    // the timeout once per redirect and once more for the body
    for (int hop = 0; hop < 4; hop++) {
      String next = "/repo/hop" + (hop + 1);
      serve(
          "/repo/hop" + hop,
          e -> {
            pause(250);
            e.getResponseHeaders().add("Location", next);
            answer(e, 302, -1, null);
          });
    }
    serve(
        "/repo/hop4",
        e -> {
          e.sendResponseHeaders(200, 4);
          e.getResponseBody().write('{');
          e.getResponseBody().flush();
          pause(250);
          e.getResponseBody().write('}');
          e.getResponseBody().flush();
          pause(250);
          e.getResponseBody().write(new byte[] {'\n', '\n'});
          e.close();
        });
    HttpTufRemote remote = new HttpTufRemote(base(), Duration.ofMillis(700));
    long start = System.nanoTime();
    assertThrows(TufException.FetchFailed.class, () -> remote.fetch("hop0", 100));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 1100, "one fetch took " + millis + " ms under a 700 ms timeout");
  }

  private void pause(long millis) {
    try {
      release.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
