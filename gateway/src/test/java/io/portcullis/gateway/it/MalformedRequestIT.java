package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed requests, sent byte for byte over a socket (no client library normalises them first),
 * get the OCI error code the spec assigns, as JSON, and never a 5xx or a path outside the API.
 */
class MalformedRequestIT {
  private static final String D = "sha256:" + "0".repeat(64);
  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("reg", registry.url(), "reg", true)
            .upstream("down", "http://127.0.0.1:" + FreePorts.loopback(), "down", false)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, registry);
  }

  @ParameterizedTest(name = "{0} {1} -> {3} {4}")
  @CsvSource(
      delimiter = '|',
      value = {
        "GET    | /v2/reg/Team/app/manifests/v1             |                       | 400 | NAME_INVALID",
        "GET    | /v2/reg/team/../../etc/manifests/v1       |                       | 400 | NAME_INVALID",
        "GET    | /v2/reg/team%2f..%2fx/manifests/v1        |                       | 400 | NAME_INVALID",
        "GET    | /v2/reg//team/manifests/v1                |                       | 400 | NAME_INVALID",
        "GET    | /v2/reg/a/manifests/sha256:xyz            |                       | 400 | DIGEST_INVALID",
        "GET    | /v2/reg/a/manifests/..hidden              |                       | 404 | MANIFEST_UNKNOWN",
        "PUT    | /v2/reg/a/manifests/..hidden              |                       | 400 | TAG_INVALID",
        "GET    | /v2/reg/Team/manifests/..hidden           |                       | 400 | NAME_INVALID",
        "GET    | /v2/reg/a/blobs/sha256:short              |                       | 400 | DIGEST_INVALID",
        "GET    | /v2/reg/a/blobs/x                    |                       | 400 | DIGEST_INVALID",
        "GET    | /v2/reg/a/blobs/{D}                 | Range: bytes=x-y      | 416 | RANGE_INVALID",
        "GET    | /v2/reg/a/blobs/{D}                 | Range: lines=1-2      | 416 | RANGE_INVALID",
        "GET    | /v2/reg/a/tags/list?n=-1                  |                       | 400 | PAGINATION_NUMBER_INVALID",
        "GET    | /v2/reg/a/tags/list?n=99999999            |                       | 400 | PAGINATION_NUMBER_INVALID",
        "GET    | /v2/reg/a/tags/list?last=..               |                       | 400 | TAG_INVALID",
        "PATCH  | /v2/reg/a/blobs/uploads/garbage           |                       | 404 | BLOB_UPLOAD_UNKNOWN",
        "PATCH  | /v2/reg/a/blobs/uploads/abcd.AAAAAAAAAAAAAAAAAAAAAA |             | 404 | BLOB_UPLOAD_UNKNOWN",
        "POST   | /v2/reg/a/blobs/uploads/?mount=sha256:1   |                       | 400 | DIGEST_INVALID",
        "POST   | /v2/reg/a/blobs/uploads/?digest=nope      |                       | 400 | DIGEST_INVALID",
        "POST   | /v2/reg/a/blobs/uploads/?mount={D}&from=Bad/Name |          | 400 | NAME_INVALID",
        "GET    | /v2/reg/a/referrers/latest                |                       | 400 | DIGEST_INVALID",
        "POST   | /v2/reg/a/manifests/v1                    |                       | 405 | UNSUPPORTED",
        "DELETE | /v2/                                      |                       | 405 | UNSUPPORTED",
        "PUT    | /v2/reg/a/tags/list                       |                       | 405 | UNSUPPORTED",
        "GET    | /etc/passwd                               |                       | 404 | NOT_FOUND",
        "GET    | /v2/../etc/passwd                         |                       | 404 | NOT_FOUND",
        "GET    | /v1/_ping                                 |                       | 404 | NOT_FOUND",
        "GET    | /v2/nowhere/app/manifests/v1              |                       | 404 | NAME_UNKNOWN",
        "GET    | /v2/reg/a/manifests/missing               |                       | 404 | MANIFEST_UNKNOWN",
        "GET    | /v2/reg/a/blobs/{D}                 |                       | 404 | BLOB_UNKNOWN",
        "GET    | /v2/down/a/manifests/v1                   |                       | 503 | UNAVAILABLE",
      })
  void getsTheRightOciError(String method, String path, String header, int status, String code)
      throws IOException {
    String p = path.replace("{D}", D);
    Raw r = send(method.trim(), p.trim(), header == null ? null : header.trim());
    assertEquals(status, r.status, r.body);
    assertTrue(r.body.contains("\"code\":\"" + code + "\""), r.body);
    assertTrue(r.contentType.startsWith("application/json"), r.contentType);
  }

  @Test
  void unavailableUpstreamIsNamed() throws IOException {
    Raw r = send("GET", "/v2/down/a/manifests/v1", null);
    assertTrue(r.body.contains("upstream 'down' is unavailable"), r.body);
  }

  @Test
  void wrongMethodListsTheAllowedOnes() throws IOException {
    Raw r = send("POST", "/v2/reg/a/manifests/v1", null);
    assertTrue(r.head.contains("Allow: GET, HEAD, PUT, DELETE"), r.head);
  }

  private static Raw send(String method, String path, String header) throws IOException {
    try (Socket s = new Socket("127.0.0.1", Integer.parseInt(gateway.hostPort().split(":")[1]))) {
      s.setSoTimeout(20_000);
      String req =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: "
              + gateway.hostPort()
              + "\r\n"
              + (header == null || header.isEmpty() ? "" : header + "\r\n")
              + (method.equals("GET") || method.equals("DELETE") ? "" : "Content-Length: 0\r\n")
              + "Connection: close\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = all.indexOf("\r\n\r\n");
      String head = all.substring(0, split);
      String type = "";
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-type:")) {
          type = line.substring(13).trim();
        }
      }
      return new Raw(Integer.parseInt(head.substring(9, 12)), head, all.substring(split + 4), type);
    }
  }

  private record Raw(int status, String head, String body, String contentType) {}
}
