package io.portcullis.gateway.it;

import io.portcullis.core.oci.MediaTypes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for raw protocol checks, with the few calls the tests repeat. */
final class Http {
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private Http() {}

  static HttpResponse<String> send(String method, String url, byte[] body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String url, String... headers)
      throws IOException, InterruptedException {
    return send("GET", url, null, headers);
  }

  static HttpResponse<byte[]> getBytes(String url, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * {@code GET /v2/<repo>/manifests/<reference>} of the registry or gateway at {@code url}, as a
   * client asks for it.
   */
  static HttpResponse<String> manifest(String url, String repo, String reference)
      throws IOException, InterruptedException {
    return get(
        url + "/v2/" + repo + "/manifests/" + reference,
        "Accept",
        MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST);
  }

  /** The OCI error code of an error response body, or null. */
  static String errorCode(HttpResponse<String> r) {
    var m = java.util.regex.Pattern.compile("\"code\"\\s*:\\s*\"([A-Z_]+)\"").matcher(r.body());
    return m.find() ? m.group(1) : null;
  }
}
