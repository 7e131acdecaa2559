package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
  @Test
  void parsesCombinedLinesAndSkipsTheHarnessOwnRequests(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("access.log");
    Files.write(
        file,
        List.of(
            "127.0.0.1 - - [23/Nov/2026:12:03:13 +0000] \"GET /v2/ HTTP/1.1\" 200 2 \"\" \"curl\"",
            "127.0.0.1 - - [23/Nov/2026:12:03:13 +0000] \"GET /v2/?portcullis-internal=ready"
                + " HTTP/1.1\" 200 2 \"\" \"Java-http-client/17\"",
            "not an access log line",
            "127.0.0.1 - bob [23/Nov/2026:12:03:14 +0000] \"PATCH /v2/a/b/blobs/uploads/u?_state=x"
                + " HTTP/1.1\" 202 0 \"\" \"skopeo/1.9.3\""));

    List<RegistryRequest> requests = new AccessLog(file).requests();

    assertEquals(
        List.of(
            new RegistryRequest("GET", "/v2/", 200),
            new RegistryRequest("PATCH", "/v2/a/b/blobs/uploads/u?_state=x", 202)),
        requests);
    assertEquals("/v2/a/b/blobs/uploads/u", requests.get(1).path());
  }

  @Test
  void selectsTheRequestsOfOneClientByItsUserAgent(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("access.log");
    Files.write(
        file,
        List.of(
            "127.0.0.1 - - [04/Dec/2026:23:25:16 +0000] \"GET /v2/a/manifests/1 HTTP/1.1\" 200 344"
                + " \"\" \"portcullis/0.1\"",
            "127.0.0.1 - - [04/Dec/2026:23:25:16 +0000] \"GET /v2/a/manifests/1 HTTP/1.1\" 200 344"
                + " \"\" \"containers/5.23.1 (github.com/containers/image)\"",
            "127.0.0.1 - - [04/Dec/2026:23:25:17 +0000] \"GET /v2/ HTTP/1.1\" 200 2 \"\" \"\""));

    assertEquals(
        List.of(new RegistryRequest("GET", "/v2/a/manifests/1", 200)),
        new AccessLog(file).requests("containers/"));
    assertEquals(3, new AccessLog(file).requests("").size());
  }

  @Test
  void aMissingLogHasNoRequests(@TempDir Path dir) {
    assertEquals(List.of(), new AccessLog(dir.resolve("absent.log")).requests());
  }
}
