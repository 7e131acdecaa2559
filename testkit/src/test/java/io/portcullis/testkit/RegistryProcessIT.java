package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegistryProcessIT {
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void tools() {
    RequiredTools.check("docker-registry");
  }

  @Test
  void countsTheRequestsItServedButNotTheHarnessProbes() throws Exception {
    try (RegistryProcess registry = RegistryProcess.start()) {
      assertEquals(200, get(registry.url() + "/v2/", null).statusCode());
      assertEquals(404, get(registry.url() + "/v2/app/manifests/1", null).statusCode());

      List<RegistryRequest> requests = registry.requests();
      assertEquals(
          List.of(
              new RegistryRequest("GET", "/v2/", 200),
              new RegistryRequest("GET", "/v2/app/manifests/1", 404)),
          requests);
      assertEquals(1, registry.count("GET", "/v2/app/.*"));
    }
  }

  @Test
  void basicAuthRefusesAnonymousAndAcceptsTheUser() throws Exception {
    try (RegistryProcess registry =
        RegistryProcess.builder().basicAuth("alice", "s3cret").start()) {
      HttpResponse<Void> anonymous = get(registry.url() + "/v2/", null);
      assertEquals(401, anonymous.statusCode());
      assertTrue(anonymous.headers().firstValue("WWW-Authenticate").isPresent());

      assertEquals(
          401, get(registry.url() + "/v2/", new Credentials("alice", "wrong")).statusCode());
      assertEquals(200, get(registry.url() + "/v2/", registry.credentials().get()).statusCode());
    }
  }

  @Test
  void downRefusesConnectionsAndUpServesTheSamePortAgain() throws Exception {
    try (RegistryProcess registry = RegistryProcess.start()) {
      String url = registry.url();
      registry.down();
      assertThrows(IOException.class, () -> get(url + "/v2/", null));
      registry.up();
      assertEquals(url, registry.url());
      assertEquals(200, get(url + "/v2/", null).statusCode());
    }
  }

  @Test
  void stopDeletesStorage() {
    RegistryProcess registry = RegistryProcess.start();
    registry.stop();
    assertTrue(!registry.storage().toFile().exists(), "storage left behind");
  }

  private HttpResponse<Void> get(String url, Credentials credentials)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (credentials != null) {
      request.header("Authorization", "Basic " + credentials.basicToken());
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding());
  }
}
