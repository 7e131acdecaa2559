package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
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
        "GET    | /v2/reg/a/tags/list?ns=%zz                |                       | 400 | NAME_INVALID",
        "GET    | /v2/reg/a/manifests/v1?ns=%zz             |                       | 400 | NAME_INVALID",
        "GET    | /v2/reg/a/tags/list?last=%                |                       | 400 | TAG_INVALID",
        "GET    | /v2/reg/a/tags/list?n=%4                  |                       | 400 | PAGINATION_NUMBER_INVALID",
        "GET    | /v2/reg/a/blobs/{D}?x%zz=1          |                       | 400 | UNSUPPORTED",
        "PUT    | /v2/reg/a/blobs/uploads/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?digest=%zz | | 400 | DIGEST_INVALID",
        "POST   | /v2/reg/a/blobs/uploads/?digest=%zz       |                       | 400 | DIGEST_INVALID",
        "POST   | /v2/reg/a/blobs/uploads/?mount=%zz&from=b |                       | 400 | DIGEST_INVALID",
        "POST   | /v2/reg/a/blobs/uploads/?mount={D}&from=%zz |                     | 400 | NAME_INVALID",
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
    // The same error on one header line, for HEAD answers and clients that show no body.
    assertTrue(r.head.contains("\r\nPortcullis-Error: " + code + ": "), r.head);
  }

  @Test
  void anOverflowingRangeOfACachedBlobIsUnsatisfiable() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(5000, 77);
    Digest digest = CacheBlobIT.upload(registry, "ranged", bytes);
    String path = "/v2/reg/ranged/blobs/" + digest;
    assertEquals(200, send("GET", path, null).status);
    for (String range :
        new String[] {"9999999999999999999-", "99999999999999999999999-99999999999999999999999"}) {
      Raw r = send("GET", path, "Range: bytes=" + range);
      assertEquals(416, r.status, r.head);
      assertTrue(r.head.contains("Content-Range: bytes */5000"), r.head);
      assertTrue(r.body.contains("\"code\":\"RANGE_INVALID\""), r.body);
    }
    Raw suffix = send("GET", path, "Range: bytes=-99999999999999999999999");
    assertEquals(206, suffix.status, suffix.head);
    assertTrue(suffix.head.contains("Content-Range: bytes 0-4999/5000"), suffix.head);
  }

  /** Chunked framing that does not parse, on a manifest PUT: a 400, then the connection closed. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bad chunk size       | zz\\r\\nabc\\r\\n0\\r\\n\\r\\n",
        "chunk size overflow  | fffffffffffffffffffff\\r\\nabc\\r\\n0\\r\\n\\r\\n",
        "oversized extension  | 5;{EXT}\\r\\nhello\\r\\n0\\r\\n\\r\\n",
      })
  void malformedChunkedBodiesAreRefused(String what, String body) throws IOException {
    String chunks = body.replace("\\r\\n", "\r\n").replace("{EXT}", "x=" + "y".repeat(17 * 1024));
    Raw r =
        sendRaw(
            "PUT /v2/reg/a/manifests/v1 HTTP/1.1\r\nHost: "
                + gateway.hostPort()
                + "\r\nContent-Type: application/vnd.oci.image.manifest.v1+json"
                + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunks);
    assertEquals(400, r.status, what + ": " + r.head);
    assertTrue(r.body.contains("\"errors\""), r.body);
  }

  /** A head that does not parse gets the status Vert.x chose, as OCI JSON, then the close. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "request line over 16 KiB | GET /v2/{LONG} HTTP/1.1 | 414",
        "headers over 8 KiB       | GET /v2/ HTTP/1.1\\r\\nX-Big: {LONG} | 431",
        "bad Content-Length       | GET /v2/ HTTP/1.1\\r\\nContent-Length: abc | 400",
      })
  void malformedHeadsGetOciErrors(String what, String head, int status) throws IOException {
    Raw r =
        sendRaw(
            head.replace("\\r\\n", "\r\n").replace("{LONG}", "a".repeat(20 * 1024))
                + "\r\nHost: x\r\n\r\n");
    assertEquals(status, r.status, what + ": " + r.head);
    assertTrue(r.body.contains("\"code\":\"UNSUPPORTED\""), r.body);
    assertTrue(r.head.contains("Portcullis-Error: UNSUPPORTED: "), r.head);
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
    return sendRaw(
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: "
            + gateway.hostPort()
            + "\r\n"
            + (header == null || header.isEmpty() ? "" : header + "\r\n")
            + (method.equals("GET") || method.equals("DELETE") ? "" : "Content-Length: 0\r\n")
            + "Connection: close\r\n\r\n");
  }

  /**
   * Sends {@code req} as it is and reads the answer up to the end of the connection, which the
   * gateway must close (the read times out, failing the test, if it does not).
   */
  private static Raw sendRaw(String req) throws IOException {
    try (Socket s = new Socket("127.0.0.1", Integer.parseInt(gateway.hostPort().split(":")[1]))) {
      s.setSoTimeout(20_000);
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
