package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a cold fill treats a follower that falls behind: one that stalls for a moment keeps reading
 * from memory (the fill keeps its bytes, then holds the upstream back for it), and one that stays
 * behind reads from the temp file while the fill goes on without it. The upstream is a local file,
 * faster than any client here, so a follower that stops for 150 ms is tens of MiB behind.
 */
class FillPacingTest {
  private static final int SIZE = 64 * 1024 * 1024;

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final GatewayMetrics metrics = GatewayMetrics.inMemory();
  private byte[] bytes;
  private Digest digest;
  private BlobStore store;
  private BlobFill fill;
  private HttpServer server;
  private long elasticBefore;

  @BeforeEach
  void fill() throws Exception {
    elasticBefore = BlobFill.elasticBytes();
    bytes = new byte[SIZE];
    new Random(11).nextBytes(bytes);
    Path source = Files.write(dir.resolve("src"), bytes);
    digest = Digest.sha256(bytes);
    store =
        BlobStore.open(vertx, dir.resolve("cache"), 1L << 30, metrics).await(10, TimeUnit.SECONDS);
    fill = store.begin(digest).orElseThrow();
    server =
        vertx
            // Small socket buffers: a client that stops reading stops the follower at once.
            .createHttpServer(new HttpServerOptions().setSendBufferSize(64 * 1024))
            .requestHandler(
                req -> {
                  vertx
                      .fileSystem()
                      .open(source.toString(), new OpenOptions().setRead(true))
                      .onSuccess(in -> fill.start(in, SIZE));
                  fill.started()
                      .onSuccess(
                          s -> {
                            req.response()
                                .setStatusCode(200)
                                .putHeader("Content-Length", "" + SIZE);
                            store.follow(fill, vertx.getOrCreateContext(), req.response());
                          });
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  /** Fails on a fill that lets go of bytes 4 MiB behind its head whatever its readers need. */
  @Test
  void aFollowerThatStallsForAMomentKeepsReadingFromMemory() throws Exception {
    try (Socket client = connect()) {
      InputStream in = client.getInputStream();
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      long received = read(in, sha256, 2 * 1024 * 1024);
      Thread.sleep(150);
      received += read(in, sha256, Long.MAX_VALUE);
      assertEquals(SIZE, received);
      assertEquals(digest.hex(), HexFormat.of().formatHex(sha256.digest()));
    }
    fill.stored().await(10, TimeUnit.SECONDS);
    awaitFollowed();
    assertEquals(0, followed("file"), "bytes the follower had to read back from the temp file");
    assertEquals(SIZE, followed("memory"));
    assertEquals(elasticBefore, BlobFill.elasticBytes(), "the fill's elastic bytes given back");
  }

  /** Fails on a fill that waits for a stalled follower for longer than its allowance. */
  @Test
  void aFollowerThatStaysBehindReadsFromTheFileAndTheFillGoesOnWithoutIt() throws Exception {
    try (Socket client = connect()) {
      InputStream in = client.getInputStream();
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      long received = read(in, sha256, 1024 * 1024);
      // the client reads nothing more until the whole blob is stored
      fill.stored().await(20, TimeUnit.SECONDS);
      received += read(in, sha256, Long.MAX_VALUE);
      assertEquals(SIZE, received);
      assertEquals(digest.hex(), HexFormat.of().formatHex(sha256.digest()));
    }
    awaitFollowed();
    assertTrue(followed("file") > 0, "the stalled follower read from the temp file");
    assertEquals(SIZE, followed("file") + followed("memory"));
    assertEquals(elasticBefore, BlobFill.elasticBytes(), "the fill's elastic bytes given back");
  }

  private Socket connect() throws Exception {
    Socket client = new Socket();
    client.setReceiveBufferSize(64 * 1024);
    client.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 5000);
    client
        .getOutputStream()
        .write(
            "GET /blob HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    String head = readHead(client.getInputStream());
    assertTrue(head.startsWith("HTTP/1.1 200"), head);
    return client;
  }

  /** Reads up to {@code max} bytes (or to the end), into {@code sha256}; how many it read. */
  private static long read(InputStream in, MessageDigest sha256, long max) throws Exception {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    while (n < max) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, max - n));
      if (r < 0) {
        break;
      }
      sha256.update(buf, 0, r);
      n += r;
    }
    return n;
  }

  /** The follower reports what it sent once it has finished, on its event loop. */
  private void awaitFollowed() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (followed("file") + followed("memory") < SIZE && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private double followed(String from) {
    Counter c =
        metrics.registry().find("portcullis.cache.fill.followed").tag("from", from).counter();
    return c == null ? 0 : c.count();
  }

  private static String readHead(InputStream in) throws Exception {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
