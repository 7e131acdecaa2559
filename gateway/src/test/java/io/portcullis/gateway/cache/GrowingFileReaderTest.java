package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A follower's response through a real HTTP connection that closes when the response ends. */
class GrowingFileReaderTest {
  private static final int SIZE = 24 * 1024 * 1024;

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  /**
   * A connection that closes as the response ends (Connection: close here; every connection during
   * a graceful shutdown) gets every byte before it closes, and the blob reaches the store after
   * (the response does not wait for its fsync; a shutdown waits for fills to settle).
   */
  @Test
  void theResponseEndsWithItsLastByteAndTheBlobIsStored() throws Exception {
    byte[] bytes = new byte[SIZE];
    new Random(7).nextBytes(bytes);
    Path source = Files.write(dir.resolve("src"), bytes);
    Digest digest = Digest.sha256(bytes);
    BlobStore store =
        BlobStore.open(vertx, dir.resolve("cache"), 1L << 30, GatewayMetrics.inMemory())
            .await(10, TimeUnit.SECONDS);
    BlobFill fill = store.begin(digest, "internal").orElseThrow();
    AtomicReference<HttpServerResponse> response = new AtomicReference<>();
    HttpServer server =
        vertx
            // Small socket buffers: the last writes back up in the server, not in the kernel.
            .createHttpServer(new HttpServerOptions().setSendBufferSize(64 * 1024))
            .requestHandler(
                req -> {
                  HttpServerResponse res = req.response();
                  response.set(res);
                  vertx
                      .fileSystem()
                      .open(source.toString(), new OpenOptions().setRead(true))
                      .onSuccess(in -> fill.start(in, SIZE));
                  fill.started()
                      .onSuccess(
                          s -> {
                            res.setStatusCode(200).putHeader("Content-Length", "" + SIZE);
                            store.follow(fill, vertx.getOrCreateContext(), res);
                          });
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);

    StringBuilder head = new StringBuilder();
    // A small window: the server's writes back up instead of landing in socket buffers.
    try (Socket client = RawHttp.get(server.actualPort(), head)) {
      assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
      InputStream in = client.getInputStream();
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      long received = 0;
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha256.update(buf, 0, n);
        received += n;
      }
      assertEquals(SIZE, received, "every byte before the connection closed");
      assertEquals(digest.hex(), HexFormat.of().formatHex(sha256.digest()));
      fill.stored().await(10, TimeUnit.SECONDS);
      assertTrue(store.lookup(digest).isPresent(), "stored");
      assertEquals(SIZE, Files.size(dir.resolve("cache/blobs/sha256/" + digest.hex())));
    }
  }
}
