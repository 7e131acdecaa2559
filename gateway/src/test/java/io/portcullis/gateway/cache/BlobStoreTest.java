package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.Counter;
import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob store's start-up scan, its fills and its LRU eviction, on a real directory. */
class BlobStoreTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void linksStayWithinTheMemoryBoundWhateverTheRepositoryNamesAndHowMany() throws Exception {
    // Every layer of every manifest read back from disk is linked: forged manifests of 26,000
    // layers each under 255-character names filled a million links (some 400 MiB) before.
    BlobStore store =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);
    String repository = "hub/team/" + "n".repeat(246);
    Digest sample = Digest.sha256(new byte[0]);
    long weight = MemoryBound.weight(repository + "@" + sample, 0);
    long fit = MemoryBound.MAX_BYTES / weight;
    long linked = 0;
    for (long i = 0; i < 2 * fit; i++) {
      store.link(repository, Digest.sha256(java.nio.ByteBuffer.allocate(8).putLong(i).array()));
    }
    for (long i = 0; i < 2 * fit; i++) {
      if (store.linked(
          repository, Digest.sha256(java.nio.ByteBuffer.allocate(8).putLong(i).array()))) {
        linked++;
      }
    }
    assertTrue(linked <= fit, linked + " links kept where the bound allows " + fit);
    assertTrue(linked > 0);
  }

  @Test
  void startDropsTempFilesStrayNamesAndCorruptBlobs() throws Exception {
    byte[] good = "good".getBytes(StandardCharsets.UTF_8);
    Digest goodDigest = Digest.sha256(good);
    Digest badDigest = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
    Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
    Files.write(blobs.resolve(goodDigest.hex()), good);
    Files.write(blobs.resolve(badDigest.hex()), "corrupted".getBytes(StandardCharsets.UTF_8));
    Files.write(blobs.resolve("not-a-digest"), good);
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Files.write(tmp.resolve(goodDigest.hex() + ".partial"), new byte[] {1});

    BlobStore store =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);

    assertTrue(store.lookup(goodDigest).isPresent());
    assertFalse(store.lookup(badDigest).isPresent(), "a blob that does not hash is dropped");
    assertFalse(Files.exists(blobs.resolve(badDigest.hex())));
    assertFalse(Files.exists(blobs.resolve("not-a-digest")));
    try (var left = Files.list(tmp)) {
      assertEquals(0, left.count(), "unfinished fills are deleted");
    }
    assertEquals(good.length, store.size());
  }

  @Test
  void fillsVerifyThenEvictTheLeastRecentlyUsed() throws Exception {
    BlobStore store =
        BlobStore.open(vertx, dir, 250, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);
    Digest a = fill(store, 'a');
    Thread.sleep(5);
    Digest b = fill(store, 'b');
    Thread.sleep(5);
    store.lookup(a).orElseThrow().acquire().release(); // a is now more recent than b
    Thread.sleep(5);
    Digest c = fill(store, 'c');
    assertTrue(store.lookup(a).isPresent());
    assertFalse(store.lookup(b).isPresent(), "least recently used goes first");
    assertTrue(store.lookup(c).isPresent());
    assertFalse(stillThere(b), "the evicted file is deleted");
    assertFalse(stillThere(dir.resolve("provers/sha256/" + b.hex())), "and its prover record");
    assertEquals(200, store.size());
  }

  @Test
  void aBlobFilledWithDirectWritesIsThenReadIntoThePageCache() throws Exception {
    assumeTrue(PageInTest.directIo(dir), "no direct I/O in " + dir);
    GatewayMetrics metrics = GatewayMetrics.inMemory();
    BlobStore store = BlobStore.open(vertx, dir, 1L << 30, metrics).await(10, TimeUnit.SECONDS);
    byte[] bytes = new byte[12 * 1024 * 1024 + 5];
    new Random(7).nextBytes(bytes);
    Digest digest = Digest.sha256(bytes);
    BlobFill f = store.begin(digest, "internal").orElseThrow();
    feed(f, bytes);
    f.stored().await(10, TimeUnit.SECONDS);
    Path file = store.lookup(digest).orElseThrow().file();
    PageInTest.awaitUntil(() -> pagedIn(metrics) >= bytes.length);
    assertEquals(bytes.length, pagedIn(metrics));
    long pages = (Files.size(file) + 4095) / 4096 * 4096;
    assertEquals(pages, PageInTest.resident(file), "all of it in the page cache");
  }

  /** Bytes read into the page cache so far, by the store's counter (none before the first). */
  private static long pagedIn(GatewayMetrics metrics) {
    Counter c = metrics.registry().find("portcullis.cache.paged.in").counter();
    return c == null ? 0 : (long) c.count();
  }

  @Test
  void theUpstreamsThatServedABlobAreItsProversAcrossARestart() throws Exception {
    BlobStore store =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);
    Digest d = fill(store, 'p', "private");
    CachedBlob blob = store.lookup(d).orElseThrow();
    assertTrue(blob.provenBy("private"));
    assertFalse(blob.provenBy("hostile"), "the file is shared, the proof is not");

    // Another upstream serving the same bytes adds its proof; the first one's stays.
    fill(store, 'p', "honest");
    assertTrue(store.lookup(d).orElseThrow().provenBy("private"));
    assertTrue(store.lookup(d).orElseThrow().provenBy("honest"));

    BlobStore reopened =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);
    CachedBlob restored = reopened.lookup(d).orElseThrow();
    assertEquals(Set.of("private", "honest"), restored.provers());
  }

  @Test
  void eachUpstreamFillsAndProvesAStoredBlobOnItsOwnAndWrongBytesProveNothing() throws Exception {
    BlobStore store =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);
    Digest d = fill(store, 'q', "private");
    byte[] stored = Files.readAllBytes(dir.resolve("blobs/sha256/" + d.hex()));

    BlobFill hostile = store.begin(d, "hostile").orElseThrow();
    assertTrue(store.begin(d, "hostile").isEmpty(), "one fill per upstream and blob");
    BlobFill other = store.begin(d, "other").orElseThrow();
    assertTrue(store.inFlight(d, "private").isEmpty(), "a fill is followed through its upstream");
    store.refuse(other, new IllegalStateException("upstream answered 404"));

    feed(hostile, "x".repeat(100).getBytes(StandardCharsets.US_ASCII));
    assertEquals(BlobFill.State.FAILED, awaitEnd(hostile));
    CachedBlob blob = store.lookup(d).orElseThrow();
    assertEquals(Set.of("private"), blob.provers(), "wrong bytes prove nothing");
    assertArrayEquals(stored, Files.readAllBytes(blob.file()), "and leave the stored copy alone");

    fill(store, 'q', "honest");
    assertEquals(Set.of("private", "honest"), store.lookup(d).orElseThrow().provers());
    assertTrue(Files.exists(dir.resolve("provers/sha256/" + d.hex() + "/honest")));
    assertFalse(Files.exists(dir.resolve("provers/sha256/" + d.hex() + "/hostile")));
    assertFalse(stillThere(hostile.temp()), "the failed fills' temp files are deleted");
    assertFalse(stillThere(other.temp()));
  }

  @Test
  void startDropsProverRecordsOfBlobsNotStoredAndNamesNoUpstreamHas() throws Exception {
    byte[] good = "good".getBytes(StandardCharsets.UTF_8);
    Digest stored = Digest.sha256(good);
    Files.write(Files.createDirectories(dir.resolve("blobs/sha256")).resolve(stored.hex()), good);
    Path records = Files.createDirectories(dir.resolve("provers/sha256/" + stored.hex()));
    Files.createFile(records.resolve("private"));
    Files.createFile(records.resolve("Not An Upstream"));
    Path orphan = Files.createDirectories(dir.resolve("provers/sha256/" + "0".repeat(64)));
    Files.createFile(orphan.resolve("private"));

    BlobStore store =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);

    assertEquals(Set.of("private"), store.lookup(stored).orElseThrow().provers());
    assertFalse(Files.exists(records.resolve("Not An Upstream")));
    assertFalse(Files.exists(orphan), "the record of a blob not in the store is deleted");
  }

  @Test
  void aMismatchedFillLeavesNothing() throws Exception {
    BlobStore store =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);
    Path source = Files.write(dir.resolve("src"), new byte[] {1, 2, 3});
    Digest claimed = Digest.sha256(new byte[] {9});
    BlobFill f = store.begin(claimed, "internal").orElseThrow();
    vertx
        .fileSystem()
        .open(source.toString(), new OpenOptions().setRead(true))
        .onSuccess(in -> f.start(in, 3));
    assertTrue(
        f.stored()
            .transform(ar -> io.vertx.core.Future.succeededFuture(ar.failed()))
            .await(10, TimeUnit.SECONDS));
    assertEquals(BlobFill.State.FAILED, f.state());
    assertFalse(store.lookup(claimed).isPresent());
    Thread.sleep(200);
    try (var left = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, left.count(), "the temp file is deleted");
    }
  }

  @Test
  void aWaiterThatLookedBeforeAChangeIsCalledAtOnce() throws Exception {
    BlobStore store =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);
    BlobFill f = store.begin(Digest.sha256(new byte[] {1}), "internal").orElseThrow();
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();

    f.onProgress(0, BlobFill.State.PENDING, calls::incrementAndGet);
    assertEquals(0, calls.get(), "nothing changed since: it waits");
    // a reader on another event loop saw the fill streaming; the fill has failed since
    f.fail(new IllegalStateException("upstream gone"));
    assertEquals(1, calls.get(), "the waiter is told of the failure");
    f.onProgress(0, BlobFill.State.STREAMING, calls::incrementAndGet);
    assertEquals(2, calls.get(), "a look older than the failure is answered at once, not parked");
    assertEquals(BlobFill.State.FAILED, f.started().await(5, TimeUnit.SECONDS));
    // created as the fill began, deleted behind the failure (before, left to race the clean-up)
    assertFalse(stillThere(f.temp()), "the failed fill's temp file is deleted");
  }

  @Test
  void anUpstreamThatFailsBeforeTheTempFileIsOpenFailsTheFill() throws Exception {
    BlobStore store =
        BlobStore.open(vertx, dir, 1 << 20, GatewayMetrics.inMemory()).await(10, TimeUnit.SECONDS);
    BlobFill f = store.begin(Digest.sha256(new byte[] {2}), "internal").orElseThrow();
    UpstreamBody body = new UpstreamBody();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v -> {
              f.start(body, 10);
              // the upstream connection closes at once: before the fill has its temp file
              body.exceptionHandler.handle(new java.io.IOException("Connection was closed"));
            });
    assertEquals(BlobFill.State.FAILED, awaitEnd(f), "not left streaming for ever");
    assertFalse(stillThere(f.temp()), "its temp file is deleted");
  }

  /** The fill's state once it is no longer pending or streaming. */
  private static BlobFill.State awaitEnd(BlobFill f) throws InterruptedException {
    for (int i = 0; i < 250; i++) {
      BlobFill.State s = f.state();
      if (s == BlobFill.State.FAILED || s == BlobFill.State.VERIFIED) {
        return s;
      }
      Thread.sleep(20);
    }
    return f.state();
  }

  /** An upstream body whose failure the test fires by hand; it never sends a byte. */
  private static final class UpstreamBody
      implements io.vertx.core.streams.ReadStream<io.vertx.core.buffer.Buffer> {
    io.vertx.core.Handler<Throwable> exceptionHandler = e -> {};

    @Override
    public UpstreamBody exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
      exceptionHandler = handler == null ? e -> {} : handler;
      return this;
    }

    @Override
    public UpstreamBody handler(io.vertx.core.Handler<io.vertx.core.buffer.Buffer> handler) {
      return this;
    }

    @Override
    public UpstreamBody pause() {
      return this;
    }

    @Override
    public UpstreamBody resume() {
      return this;
    }

    @Override
    public UpstreamBody fetch(long amount) {
      return this;
    }

    @Override
    public UpstreamBody endHandler(io.vertx.core.Handler<Void> endHandler) {
      return this;
    }
  }

  private boolean stillThere(Digest d) throws InterruptedException {
    return stillThere(dir.resolve("blobs/sha256/" + d.hex()));
  }

  /** Whether {@code p} exists after up to 2 s for its deletion (which runs in the background). */
  private static boolean stillThere(Path p) throws InterruptedException {
    for (int i = 0; i < 100 && Files.exists(p); i++) {
      Thread.sleep(20);
    }
    return Files.exists(p);
  }

  private Digest fill(BlobStore store, char c) throws Exception {
    return fill(store, c, "internal");
  }

  /** Fills the blob of 100 {@code c}s as if {@code upstream} served it. */
  private Digest fill(BlobStore store, char c, String upstream) throws Exception {
    byte[] bytes = String.valueOf(c).repeat(100).getBytes(StandardCharsets.US_ASCII);
    Digest digest = Digest.sha256(bytes);
    BlobFill f = store.begin(digest, upstream).orElseThrow();
    feed(f, bytes);
    f.stored().await(10, TimeUnit.SECONDS);
    return digest;
  }

  /** Starts {@code f} with {@code bytes} as its upstream's body. */
  private void feed(BlobFill f, byte[] bytes) throws Exception {
    Path source = Files.write(dir.resolve("src-" + f.upstream() + "-" + f.digest().hex()), bytes);
    vertx
        .fileSystem()
        .open(source.toString(), new OpenOptions().setRead(true))
        .onSuccess(in -> f.start(in, bytes.length));
  }
}
