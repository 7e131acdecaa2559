package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.streams.ReadStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final AtomicBoolean upstreamAsked = new AtomicBoolean();

  @BeforeEach
  void fill() throws Exception {
    elasticBefore = BlobFill.elasticBytes();
    bytes = new byte[SIZE];
    new Random(11).nextBytes(bytes);
    Path source = Files.write(dir.resolve("src"), bytes);
    digest = Digest.sha256(bytes);
    store =
        BlobStore.open(vertx, dir.resolve("cache"), 1L << 30, metrics).await(10, TimeUnit.SECONDS);
    fill = store.begin(digest, "origin").orElseThrow();
    server =
        vertx
            // Small socket buffers: a client that stops reading stops the follower at once.
            .createHttpServer(new HttpServerOptions().setSendBufferSize(64 * 1024))
            .requestHandler(
                req -> {
                  if (upstreamAsked.compareAndSet(false, true)) {
                    vertx
                        .fileSystem()
                        .open(source.toString(), new OpenOptions().setRead(true))
                        .onSuccess(in -> fill.start(in, SIZE));
                  }
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

  /**
   * Followers that stall one after another, each far enough ahead of the last to be held for in
   * turn (as clients that read different amounts and stop could): together they hold the fill back
   * for no more than {@link BlobFill#FILL_HOLD_NANOS}. Fails on a fill that holds for each.
   */
  @Test
  void followersStalledInTurnHoldTheFillBackForAtMostItsAllowance() throws Exception {
    int size = 80 * 1024 * 1024;
    byte[] blob = new byte[size];
    new Random(13).nextBytes(blob);
    BlobFill own = store.begin(Digest.sha256(blob), "origin").orElseThrow();
    List<BlobFill.Follower> stalled = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      stalled.add(own.join());
    }
    Context loop = vertx.getOrCreateContext();
    long step = 20L * 1024 * 1024;
    // the upstream stops at each 20 MiB, so that however slow this thread is, follower k has taken
    // the blob up to k * 20 MiB before more arrives; then it stops for good
    PushedBody body = new PushedBody(blob, loop, step);
    loop.runOnContext(v -> own.start(body, size));
    for (int k = 1; k < stalled.size(); k++) {
      long at = k * step;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (own.received() < at && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      stalled.get(k).position = at;
      body.allow(k + 1 < stalled.size() ? at + step : size);
    }
    own.stored().await(30, TimeUnit.SECONDS);
    long slack = TimeUnit.MILLISECONDS.toNanos(100);
    assertTrue(
        own.heldNanos() > BlobFill.HOLD_NANOS,
        "held for more than one follower: " + TimeUnit.NANOSECONDS.toMillis(own.heldNanos()));
    assertTrue(
        own.heldNanos() <= BlobFill.FILL_HOLD_NANOS + slack,
        "held for " + TimeUnit.NANOSECONDS.toMillis(own.heldNanos()) + " ms");
    stalled.forEach(f -> own.leave(f, 0, 0));
  }

  /**
   * An upstream body the test pushes in 64 KiB chunks on the fill's loop, honouring pause, and
   * sending no more than it is {@linkplain #allow allowed} to.
   */
  private final class PushedBody implements ReadStream<Buffer> {
    private final byte[] bytes;
    private final Context loop;
    private volatile long allowed;
    private int at;
    private boolean paused = true;
    private Handler<Buffer> handler;
    private Handler<Void> end;

    PushedBody(byte[] bytes, Context loop, long allowed) {
      this.bytes = bytes;
      this.loop = loop;
      this.allowed = allowed;
    }

    /** Lets the body go on up to {@code bytes} in all. */
    void allow(long bytes) {
      allowed = bytes;
      loop.runOnContext(v -> push());
    }

    private void push() {
      while (!paused && at < bytes.length && at < allowed) {
        int n = (int) Math.min(64 * 1024, Math.min(bytes.length, allowed) - at);
        Buffer chunk = Buffer.buffer(Arrays.copyOfRange(bytes, at, at + n));
        at += n;
        handler.handle(chunk);
      }
      if (at == bytes.length && !paused && end != null) {
        Handler<Void> e = end;
        end = null;
        e.handle(null);
      } else if (paused && at < bytes.length) {
        // resumed from the fill's loop: a look again in a moment
        vertx.setTimer(1, t -> push());
      }
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      paused = true;
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      boolean wasPaused = paused;
      paused = false;
      if (wasPaused) {
        vertx.runOnContext(v -> push());
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      end = h;
      return this;
    }
  }

  private Socket connect() throws Exception {
    StringBuilder head = new StringBuilder();
    Socket client = RawHttp.get(server.actualPort(), head);
    assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
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
}
