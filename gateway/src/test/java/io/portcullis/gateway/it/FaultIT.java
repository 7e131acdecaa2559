package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.testing.FaultyUpstream;
import io.portcullis.gateway.testing.FaultyUpstream.Fault;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An upstream that sends wrong bytes or stops mid-blob must never produce a clean 200: the gateway
 * resets the client's connection, and stays healthy for the next request.
 */
class FaultIT {
  private static final int BLOB = 1_500_000;
  @TempDir static Path dir;
  static RegistryProcess registry;
  static FaultyUpstream faulty;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static Digest blob;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    faulty = FaultyUpstream.start(registry);
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("faulty", faulty.url(), "", false)
            // The same upstream, writable: the upload cases.
            .upstream("pushable", faulty.url(), "push", true)
            // Each case must reach the faulty upstream; CacheFaultIT covers the cache's side.
            .extra("cache: {enabled: false}\n")
            .start();
    blob = CacheBlobIT.upload(registry, "team/app", RegistryProtocolIT.random(BLOB, 31));
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, faulty, registry);
  }

  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      names = {"CORRUPT", "TRUNCATE"})
  synchronized void badUpstreamBytesBreakTheClientConnection(Fault fault) throws Exception {
    faulty.fault(fault);
    try {
      RawResponse r = rawGet("/v2/team/app/blobs/" + blob);
      assertEquals(200, r.status, "headers were already on their way");
      assertTrue(
          r.bodyBytes < BLOB,
          fault + ": the client must not receive the whole declared body, got " + r.bodyBytes);
      assertFalse(r.cleanEnd, fault + ": the connection must break, not end cleanly");

      // A real client notices too.
      assertThrows(
          IOException.class,
          () -> LargeBlob.fetch(Http.CLIENT, gateway.url() + "/v2/team/app/blobs/" + blob));
    } finally {
      faulty.fault(Fault.NONE);
    }
    // ...and the gateway serves the next request normally.
    LargeBlob.Received ok =
        LargeBlob.fetch(Http.CLIENT, gateway.url() + "/v2/team/app/blobs/" + blob);
    assertEquals(blob, ok.digest());
  }

  @Test
  synchronized void skopeoPullFailsOnACorruptingUpstream() {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 400 * 1024).seed(32).build());
    images.push(image, registry.ref("team/img:v1"));
    faulty.fault(Fault.CORRUPT);
    try {
      CommandResult r =
          skopeo.copy(
              "docker://" + gateway.hostPort() + "/team/img:v1", "dir:" + dir.resolve("corrupt"));
      assertFalse(r.ok(), "skopeo must not succeed with corrupted layers");
    } finally {
      faulty.fault(Fault.NONE);
    }
    skopeo
        .copy("docker://" + gateway.hostPort() + "/team/img:v1", "dir:" + dir.resolve("clean"))
        .orThrow();
  }

  /**
   * The gateway sends its upstream credentials and the client's bytes to an upload location: one
   * the upstream puts on another host, or one that does not parse, is a bad upstream answer (502),
   * and nothing reaches that host.
   */
  @Test
  synchronized void uploadLocationsOffTheUpstreamAreRefused() throws Exception {
    byte[] body = RegistryProtocolIT.random(4096, 33);
    try (FaultyUpstream elsewhere = FaultyUpstream.start(registry)) {
      for (String location :
          List.of(
              elsewhere.url() + "/v2/team/up/blobs/uploads/u1?_state=s",
              "http://127.0.0.1:1/v2/team/up/blobs/uploads/a b|")) {
        faulty.uploadLocation(202, location);
        try {
          HttpResponse<String> r = monolithicUpload(body);
          assertEquals(502, r.statusCode(), location + ": " + r.body());
          assertEquals("UNAVAILABLE", Http.errorCode(r), r.body());
        } finally {
          faulty.uploadLocation(202, null);
        }
      }
      assertEquals(List.of(), elsewhere.received(), "nothing may reach a host the upstream names");
    }
  }

  /** A completed upload whose upstream Location does not parse is still 201, without Location. */
  @Test
  synchronized void aMalformedLocationOfACompletedUploadIsLeftOut() throws Exception {
    byte[] body = RegistryProtocolIT.random(4096, 34);
    faulty.uploadLocation(201, "http://127.0.0.1:1/v2/team/up/blobs/a b|");
    try {
      HttpResponse<String> r = monolithicUpload(body);
      assertEquals(201, r.statusCode(), r.body());
      assertTrue(r.headers().firstValue("Location").isEmpty(), r.headers().toString());
    } finally {
      faulty.uploadLocation(201, null);
    }
  }

  /** A blob pushed in one POST through the writable upstream. */
  private static HttpResponse<String> monolithicUpload(byte[] body) throws Exception {
    return Http.send(
        "POST",
        gateway.url() + "/v2/push/team/up/blobs/uploads/?digest=" + Digest.sha256(body),
        body,
        "Content-Type",
        "application/octet-stream");
  }

  /** Reads a response over a plain socket, counting body bytes and whether it ended cleanly. */
  private static RawResponse rawGet(String path) throws IOException {
    try (Socket s = new Socket("127.0.0.1", Integer.parseInt(gateway.hostPort().split(":")[1]))) {
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: "
                      + gateway.hostPort()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          break;
        }
        head.append((char) c);
      }
      int status = Integer.parseInt(head.substring(9, 12));
      long declared = -1;
      for (String line : head.toString().split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          declared = Long.parseLong(line.substring(15).trim());
        }
      }
      long n = 0;
      byte[] buf = new byte[65536];
      try {
        int k;
        while ((k = in.read(buf)) > 0) {
          n += k;
        }
      } catch (IOException reset) {
        return new RawResponse(status, n, false);
      }
      return new RawResponse(status, n, declared >= 0 && n == declared);
    }
  }

  private record RawResponse(int status, long bodyBytes, boolean cleanEnd) {}
}
