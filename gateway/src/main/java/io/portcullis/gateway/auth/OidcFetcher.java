package io.portcullis.gateway.auth;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fetches an OIDC discovery document or JWKS. An interface so tests (and air-gapped setups) can
 * supply documents without the network. Blocking.
 */
@FunctionalInterface
public interface OidcFetcher {
  /** Largest document accepted: a JWKS is a few KiB. */
  int MAX_BYTES = 256 * 1024;

  /** The body of a 200 answer to {@code GET uri}; {@link IOException} for anything else. */
  byte[] get(URI uri) throws IOException;

  /**
   * Over HTTPS (plain HTTP only to a loopback address), without redirects, within {@code timeout},
   * at most {@link #MAX_BYTES}.
   */
  static OidcFetcher http(Duration timeout) {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    return uri -> {
      checkTransport(uri);
      HttpRequest request =
          HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").build();
      HttpResponse<InputStream> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching " + uri, e);
      }
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new IOException(uri + " answered " + response.statusCode());
        }
        byte[] bytes = body.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
          throw new IOException(uri + " sent more than " + MAX_BYTES + " bytes");
        }
        return bytes;
      }
    };
  }

  /** Keys must not come over plain HTTP, except from this host (tests, a local mirror). */
  static void checkTransport(URI uri) throws IOException {
    String scheme = uri.getScheme();
    if ("https".equals(scheme)) {
      return;
    }
    if ("http".equals(scheme)
        && uri.getHost() != null
        && InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
      return;
    }
    throw new IOException(uri + ": keys are fetched over https only (http only on loopback)");
  }
}
