package io.portcullis.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * The harness's own requests to a registry: readiness checks, and marker requests that tell when
 * the access log has caught up. Both are tagged with {@link AccessLog#INTERNAL_QUERY} so they never
 * count as a test's requests.
 */
final class RegistryProbe {
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(5);
  private static final long POLL_MILLIS = 20;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final AccessLog accessLog;

  RegistryProbe(AccessLog accessLog) {
    this.accessLog = accessLog;
  }

  /** Sends {@code GET /v2/}; true if the registry answered at all, whatever the status. */
  boolean answers(String baseUrl, String token) {
    URI uri = URI.create(baseUrl + "/v2/?" + AccessLog.INTERNAL_QUERY + token);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build();
    try {
      http.send(request, HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing the registry", e);
    }
  }

  /**
   * Returns once every request the registry finished before this call is in the access log. The
   * registry writes a request's line only after its handler returns, a moment after the client may
   * have seen the last byte; a marker sent now is logged after those.
   */
  void awaitLogCaughtUp(String baseUrl) {
    String token = UUID.randomUUID().toString();
    if (!answers(baseUrl, token)) {
      return;
    }
    long deadline = System.nanoTime() + LOG_TIMEOUT.toNanos();
    while (!accessLog.mentions(token)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the registry never logged its marker request " + token);
      }
      pause();
    }
  }

  static void pause() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while polling the registry", e);
    }
  }
}
