package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.testing.FaultyUpstream;
import io.portcullis.gateway.testing.FaultyUpstream.Fault;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cold fills of blobs large enough to be read into owned pooled buffers ({@code OwnedBody}) give
 * every buffer back: a gateway run with Netty's paranoid leak detection (every buffer tracked)
 * serves concurrent followers, a client that leaves halfway, a corrupt and a truncated upstream,
 * and after garbage collections and more traffic has reported no {@code LEAK}. Every client that
 * finishes gets the right bytes; a bad upstream still resets the client.
 */
class OwnedBuffersIT {
  private static final int BLOB = 24 * 1024 * 1024;
  @TempDir static Path dir;
  static RegistryProcess registry;
  static FaultyUpstream faulty;
  static GatewayProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    faulty = FaultyUpstream.start(registry);
    gateway =
        GatewayProcess.inFrontOf(
            dir.resolve("gw"), faulty.url(), "-Xmx96m", "-Dio.netty.leakDetection.level=paranoid");
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, faulty, registry);
  }

  @Test
  void coldFillsGiveEveryOwnedBufferBack() throws Exception {
    for (Fault fault : List.of(Fault.CORRUPT, Fault.TRUNCATE)) {
      String url = url(fault.name().toLowerCase(), 1);
      faulty.fault(fault);
      try {
        assertThrows(IOException.class, () -> LargeBlob.fetch(Http.CLIENT, url), fault.name());
      } finally {
        faulty.fault(Fault.NONE);
      }
    }

    String herd = url("herd", 2);
    List<CompletableFuture<LargeBlob.Received>> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(CompletableFuture.supplyAsync(() -> fetch(herd)));
    }
    for (var c : clients) {
      assertEquals(digestOf(2), c.get().digest(), "a follower got the blob");
    }

    String left = url("left", 3);
    HttpResponse<InputStream> r =
        Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create(left)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      in.readNBytes(BLOB / 3); // and goes: the fill goes on without it
    }
    assertEquals(digestOf(3), LargeBlob.fetch(Http.CLIENT, left).digest());

    // Leaks are reported when a buffer that was never released has been collected, at the next
    // buffer the detector tracks.
    for (int i = 0; i < 3; i++) {
      gc();
      assertEquals(digestOf(4 + i), LargeBlob.fetch(Http.CLIENT, url("after", 4 + i)).digest());
    }
    String log = gateway.log();
    assertFalse(log.contains("LEAK"), "no buffer leaked:\n" + log);
  }

  private static LargeBlob.Received fetch(String url) {
    try {
      return LargeBlob.fetch(Http.CLIENT, url);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Uploads blob {@code n} (a seeded 24 MiB) to {@code repo} upstream; its URL at the gateway. */
  private static String url(String repo, int n) throws Exception {
    Digest d = CacheBlobIT.upload(registry, "owned/" + repo, bytes(n));
    return gateway.url() + "/v2/owned/" + repo + "/blobs/" + d;
  }

  private static Digest digestOf(int n) {
    return Digest.sha256(bytes(n));
  }

  private static byte[] bytes(int n) {
    return RegistryProtocolIT.random(BLOB, 900 + n);
  }

  private static void gc() throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder("jcmd", Long.toString(gateway.pid()), "GC.run")
            .redirectErrorStream(true)
            .start();
    String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, jcmd.waitFor(), out);
  }
}
