package io.portcullis.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.testing.FaultyUpstream.Fault;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TempDirectory;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Proves each {@link Fault} does what it claims, against a real registry. */
class FaultyUpstreamIT {
  private static final int BLOB_SIZE = 300_001;

  private static RegistryProcess registry;
  private static FaultyUpstream upstream;
  private static byte[] blob;
  private static String blobPath;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    registry = RegistryProcess.start();
    upstream = FaultyUpstream.start(registry);
    blob = new byte[BLOB_SIZE];
    new Random(42).nextBytes(blob);
    String digest = "sha256:" + HexFormat.of().formatHex(sha256(blob));
    blobPath = "/v2/faults/blob/blobs/" + digest;
    uploadThroughProxy(digest);
  }

  @AfterAll
  static void stop() {
    try {
      upstream.close();
    } finally {
      registry.close();
    }
  }

  @BeforeEach
  void noFault() {
    upstream.fault(Fault.NONE);
  }

  @Test
  void noneForwardsTheBlobUntouched() throws Exception {
    long before = upstream.blobGets();
    HttpResponse<byte[]> response = get(blobPath, HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    assertArrayEquals(blob, response.body());
    assertEquals(before + 1, upstream.blobGets());
  }

  @Test
  void corruptKeepsLengthAndHeadersButFlipsTheMiddleByte() throws Exception {
    upstream.fault(Fault.CORRUPT);
    HttpResponse<byte[]> response = get(blobPath, HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(200, response.statusCode());
    assertEquals(String.valueOf(BLOB_SIZE), response.headers().firstValue("Content-Length").get());
    assertTrue(response.headers().firstValue("Docker-Content-Digest").isPresent());
    byte[] body = response.body();
    assertEquals(BLOB_SIZE, body.length);
    for (int i = 0; i < BLOB_SIZE; i++) {
      if (i == BLOB_SIZE / 2) {
        assertEquals((byte) ~blob[i], body[i], "the middle byte is inverted");
      } else if (body[i] != blob[i]) {
        throw new AssertionError("byte " + i + " changed too");
      }
    }
  }

  @Test
  void truncateAnnouncesTheFullLengthThenClosesAfterHalf() throws Exception {
    upstream.fault(Fault.TRUNCATE);
    // a plain socket, because HTTP clients may drop what they buffered once the body falls short
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), upstream.port())) {
      String request = "GET " + blobPath + " HTTP/1.1\r\nHost: " + upstream.hostPort() + "\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      byte[] all = socket.getInputStream().readAllBytes();

      String text = new String(all, StandardCharsets.ISO_8859_1);
      int bodyStart = text.indexOf("\r\n\r\n") + 4;
      String head = text.substring(0, bodyStart).toLowerCase(Locale.ROOT);
      assertTrue(head.startsWith("http/1.1 200"), head);
      assertTrue(head.contains("content-length: " + BLOB_SIZE + "\r\n"), head);
      assertEquals(BLOB_SIZE / 2, all.length - bodyStart, "half the body, then end of stream");
      assertArrayEquals(
          Arrays.copyOf(blob, BLOB_SIZE / 2), Arrays.copyOfRange(all, bodyStart, all.length));
    }
  }

  @Test
  void onlyBlobDownloadsAreDamaged() throws Exception {
    upstream.fault(Fault.TRUNCATE);
    HttpResponse<Void> head = head(blobPath);
    assertEquals(200, head.statusCode());
    assertEquals(200, get("/v2/", HttpResponse.BodyHandlers.discarding()).statusCode());
  }

  @Test
  void skopeoPullsThroughNoneAndRefusesCorrupt() {
    try (Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo);
        TempDirectory pulls = TempDirectory.create("faulty-pulls-")) {
      OciLayout layout = images.build(ImageSpec.builder().layers(2, 64 * 1024).seed(9).build());
      images.push(layout, "docker://" + upstream.hostPort() + "/faults/image:1");

      String ref = "docker://" + upstream.hostPort() + "/faults/image:1";
      skopeo.copy(ref, "dir:" + pulls.resolve("clean")).orThrow();
      assertEquals(layout.digest(), DirImage.read(pulls.resolve("clean")).manifestDigest());

      upstream.fault(Fault.CORRUPT);
      var corrupt = skopeo.copy(ref, "dir:" + pulls.resolve("corrupt"));
      assertNotEquals(0, corrupt.exitCode());
      assertTrue(corrupt.stderr().toLowerCase(Locale.ROOT).contains("digest"), corrupt.stderr());
    }
  }

  private static void uploadThroughProxy(String digest) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<Void> started =
        client.send(
            HttpRequest.newBuilder(URI.create(upstream.url() + "/v2/faults/blob/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertEquals(202, started.statusCode());
    String location = started.headers().firstValue("Location").get();
    assertTrue(location.startsWith(upstream.url()), "Location stays on the proxy: " + location);
    HttpResponse<Void> done =
        client.send(
            HttpRequest.newBuilder(URI.create(location + "&digest=" + digest))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertEquals(201, done.statusCode());
  }

  private <T> HttpResponse<T> get(String path, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(upstream.url() + path)).build(), handler);
  }

  private HttpResponse<Void> head(String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(upstream.url() + path))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding());
  }

  private static byte[] sha256(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }
}
