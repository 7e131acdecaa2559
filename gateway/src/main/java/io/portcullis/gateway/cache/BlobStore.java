package io.portcullis.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed blobs on disk: {@code blobs/sha256/<hex>}, written only through a verified
 * {@link BlobFill} (temp file in {@code tmp/}, then an atomic move). The index (sizes, last access)
 * lives in memory and is rebuilt from disk at start, when leftover temp files are deleted and small
 * files are re-hashed; larger ones are re-hashed in the background, or before their first use if
 * that comes first ({@link #ready}). Least recently used blobs that nobody is reading are evicted
 * once the total passes {@code maxSize}.
 *
 * <p>The files are shared by every upstream, trust in them is not: a blob is served through an
 * upstream only once that upstream has served its bytes itself ({@link CachedBlob#provenBy}, kept
 * on disk by {@link BlobProvers}), and through a repository of it only once the upstream has
 * confirmed the blob there ({@link #linked}).
 */
public final class BlobStore {
  private static final Logger LOG = LoggerFactory.getLogger(BlobStore.class);
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private static final long CHECK_AT_START = 16L * 1024 * 1024;

  private final Vertx vertx;
  private final boolean directWrites;
  private final Path blobs;
  private final Path tmp;
  private final long maxSize;
  private final GatewayMetrics metrics;
  private final BlobProvers provers;
  private final Map<String, CachedBlob> index = new ConcurrentHashMap<>();
  // By upstream and digest: a fill is followed only through the upstream it reads from.
  private final Map<String, BlobFill> fills = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final AtomicBoolean evicting = new AtomicBoolean();
  // Blobs written with direct I/O are read back into the page cache, after the fills.
  private final PageIn pageIn;
  // Which repositories an upstream has confirmed a blob in: the file is shared, access is not.
  // Within an upstream its own word is trusted (its access control); a blob it has not proven it
  // holds is fetched from it whatever the links say.
  // Bounded by weight like the manifest cache's other memory: every manifest read back from disk
  // links all it lists, and a million links (the old bound by count) is some 200 MiB of heap
  // (ExhaustionIT). A link evicted costs one HEAD to the upstream when its blob is next served.
  private final Cache<String, Boolean> links =
      Caffeine.newBuilder()
          .maximumWeight(MemoryBound.MAX_BYTES)
          .<String, Boolean>weigher((k, v) -> MemoryBound.weight(k, 0))
          .build();

  private BlobStore(
      Vertx vertx, Path root, long maxSize, boolean directWrites, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.directWrites = directWrites;
    this.metrics = metrics;
    this.blobs = root.resolve("blobs").resolve("sha256");
    this.tmp = root.resolve("tmp");
    this.provers = new BlobProvers(root);
    this.maxSize = maxSize;
    this.pageIn =
        new PageIn(
            () -> !fills.isEmpty(), n -> metrics.cacheBytesPagedIn(n), PageIn.defaultLimit());
  }

  /** Opens the store under {@code root}, scanning it on a worker thread. */
  /** Whether fills are written with direct I/O where the file system has it. */
  boolean directWrites() {
    return directWrites;
  }

  public static Future<BlobStore> open(
      Vertx vertx, Path root, long maxSize, GatewayMetrics metrics) {
    return open(vertx, root, maxSize, true, metrics);
  }

  /**
   * As {@link #open(Vertx, Path, long, GatewayMetrics)}; {@code directWrites} writes fills with
   * direct I/O where the file system has it ({@code cache.directWrites}).
   */
  public static Future<BlobStore> open(
      Vertx vertx, Path root, long maxSize, boolean directWrites, GatewayMetrics metrics) {
    BlobStore store = new BlobStore(vertx, root, maxSize, directWrites, metrics);
    return vertx
        .executeBlocking(store::scan, false)
        .map(
            unchecked -> {
              store.checkInBackground(unchecked);
              return store;
            });
  }

  /** Where hits, misses and bytes are counted ({@code portcullis.cache.*}). */
  public GatewayMetrics metrics() {
    return metrics;
  }

  public long maxSize() {
    return maxSize;
  }

  /** Bytes held, as the index knows them. */
  public long size() {
    return total.get();
  }

  /** The blob, when it is cached, marked as just used. */
  public Optional<CachedBlob> lookup(Digest digest) {
    if (!"sha256".equals(digest.algorithm())) {
      return Optional.empty();
    }
    return Optional.ofNullable(index.get(digest.hex()));
  }

  /**
   * True when the upstream has confirmed {@code digest} in {@code repository} (an
   * upstream-qualified name) since the gateway started: only then, and only when that upstream has
   * proven it holds the blob ({@link CachedBlob#provenBy}), is the shared copy served for that
   * repository.
   */
  public boolean linked(String repository, Digest digest) {
    return links.getIfPresent(repository + "@" + digest) != null;
  }

  /** Records that the upstream has {@code digest} in {@code repository}. */
  public void link(String repository, Digest digest) {
    links.put(repository + "@" + digest, Boolean.TRUE);
  }

  /**
   * Forgets that the upstream has {@code digest} in {@code repository} (it was deleted there): the
   * shared copy is served there again only after the upstream confirms it.
   */
  public void unlink(String repository, Digest digest) {
    links.invalidate(repository + "@" + digest);
  }

  /** The fill of {@code digest} from {@code upstream} in flight, if any. */
  public Optional<BlobFill> inFlight(Digest digest, String upstream) {
    return Optional.ofNullable(fills.get(fillKey(digest, upstream)));
  }

  /**
   * Registers a new fill of {@code digest} from {@code upstream} (its name), or returns empty when
   * one is already in flight (the caller then follows {@link #inFlight}). The caller starts it with
   * the upstream's body, or {@link #refuse}s it. A blob already stored is filled again from an
   * upstream that has not proven it holds it: the verified fill is that proof.
   */
  public Optional<BlobFill> begin(Digest digest, String upstream) {
    if (!"sha256".equals(digest.algorithm())) {
      return Optional.empty();
    }
    BlobFill fill =
        new BlobFill(
            vertx, this, digest, upstream, tmp.resolve(digest.hex() + "." + UUID.randomUUID()));
    if (fills.putIfAbsent(fillKey(digest, upstream), fill) != null) {
      return Optional.empty();
    }
    fill.prepare();
    return Optional.of(fill);
  }

  /**
   * Streams a fill in flight to {@code res} ({@link GrowingFileReader}) on {@code context}, the
   * client connection's.
   */
  public Future<GrowingFileReader.Outcome> follow(
      BlobFill fill, Context context, HttpServerResponse res) {
    return GrowingFileReader.follow(vertx, context, fill, res);
  }

  /** Gives up a fill before it started (the upstream did not answer 200). */
  public void refuse(BlobFill fill, Throwable why) {
    // Forgotten first: a waiter woken by the failure must not find this fill still registered.
    abandon(fill);
    fill.fail(why);
  }

  /**
   * Whether a cached blob may be served: its file is as it was when its content was verified (same
   * size and mtime), and a file not re-hashed since the restart is hashed first (once, on a worker
   * thread). A blob that fails either is dropped, to be fetched again.
   */
  public Future<Boolean> ready(CachedBlob blob) {
    return vertx
        .fileSystem()
        .props(blob.file().toString())
        .transform(
            ar -> {
              if (ar.failed()
                  || ar.result().size() != blob.size()
                  || ar.result().lastModifiedTime() != blob.modified()) {
                drop(blob, "the file changed on disk after it was verified");
                return Future.succeededFuture(false);
              }
              return verified(blob);
            });
  }

  private Future<Boolean> verified(CachedBlob blob) {
    return blob.check(
            () ->
                vertx
                    .executeBlocking(() -> hashMatches(blob.file(), blob.hex()), false)
                    .otherwise(false))
        .onSuccess(
            ok -> {
              if (!ok) {
                drop(blob, "content does not match its digest");
              }
            });
  }

  /**
   * Completes once no fill is under way, or when {@code grace} has passed: a graceful shutdown lets
   * fills that are streaming or being committed reach the store.
   */
  public Future<Void> settle(Duration grace) {
    return Quiescence.await(vertx, fills::isEmpty, grace)
        .map(
            settled -> {
              if (!settled) {
                LOG.warn("cache: {} fill(s) still under way at shutdown are dropped", fills.size());
              }
              return null;
            });
  }

  /**
   * Moves a verified temp file to its address, records its upstream as a prover and indexes it; the
   * provers of a copy it replaces stay (the content is the same, by its address).
   */
  Future<Void> commit(BlobFill fill, long size, boolean direct) {
    String hex = fill.digest().hex();
    Path target = blobs.resolve(hex);
    // One worker task: the move, the new file's time and the prover record (three hops before).
    return vertx
        .<Long>executeBlocking(
            () -> {
              Files.move(
                  fill.temp(),
                  target,
                  StandardCopyOption.ATOMIC_MOVE,
                  StandardCopyOption.REPLACE_EXISTING);
              long modified = Files.getLastModifiedTime(target).toMillis();
              try {
                provers.record(hex, fill.upstream());
              } catch (IOException | RuntimeException err) {
                // Proven all the same in this run; after a restart the upstream proves it again
                // with one fetch: the loss fails closed.
                LOG.warn(
                    "cache: could not record upstream '{}' as holding {}: {}",
                    fill.upstream(),
                    fill.digest(),
                    err.toString());
              }
              return modified;
            },
            false)
        .map(
            modified -> {
              metrics.cacheBytesStored("blob", size);
              CachedBlob blob =
                  new CachedBlob(hex, target, size, modified, Future.succeededFuture(true));
              CachedBlob old = index.get(hex);
              if (old != null) {
                blob.proven(old.provers());
              }
              blob.proven(Set.of(fill.upstream()));
              add(blob);
              fills.remove(fillKey(fill.digest(), fill.upstream()), fill);
              pageIn.fillOver();
              if (direct) {
                pageIn.request(target, size);
              }
              LOG.debug(
                  "cache: stored {} ({} bytes) from upstream '{}'",
                  fill.digest(),
                  size,
                  fill.upstream());
              return null;
            })
        .compose(v -> evict());
  }

  /** Forgets a failed fill and deletes its temp file. */
  void abandon(BlobFill fill) {
    fills.remove(fillKey(fill.digest(), fill.upstream()), fill);
    pageIn.fillOver();
    vertx.fileSystem().delete(fill.temp().toString()).onFailure(err -> {});
  }

  /**
   * Drops a cached blob found to be wrong (missing, wrong size) so the next request fetches it
   * again.
   */
  public void drop(CachedBlob blob, String why) {
    if (index.remove(blob.hex(), blob)) {
      total.addAndGet(-blob.size());
      LOG.warn("cache: dropped sha256:{}: {}", blob.hex(), why);
      vertx.fileSystem().delete(blob.file().toString()).onFailure(err -> {});
      forgetProvers(blob.hex());
    }
  }

  private void forgetProvers(String hex) {
    vertx
        .executeBlocking(
            () -> {
              provers.forget(hex);
              return null;
            },
            false)
        .onFailure(err -> LOG.warn("cache: prover record of sha256:{}: {}", hex, err.toString()));
  }

  private static String fillKey(Digest digest, String upstream) {
    return upstream + "@" + digest;
  }

  private void add(CachedBlob blob) {
    CachedBlob old = index.put(blob.hex(), blob);
    total.addAndGet(blob.size() - (old == null ? 0 : old.size()));
  }

  /**
   * Evicts least recently used blobs nobody is reading until the total fits, on a worker thread:
   * ordering the whole index takes milliseconds once it holds many thousand blobs, too long for an
   * event loop. One eviction runs at a time; a commit that finds one running leaves it the work
   * (what is still over then, because its readers hold it, goes at a later commit).
   */
  private Future<Void> evict() {
    if (total.get() <= maxSize || !evicting.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return vertx.<Void>executeBlocking(
        () -> {
          try {
            evictNow();
          } finally {
            evicting.set(false);
          }
          return null;
        },
        false);
  }

  private void evictNow() {
    List<CachedBlob> byAge = new ArrayList<>(index.values());
    byAge.sort(Comparator.comparingLong(CachedBlob::lastAccess));
    for (CachedBlob b : byAge) {
      if (total.get() <= maxSize) {
        break;
      }
      if (!b.inUse() && index.remove(b.hex(), b)) {
        total.addAndGet(-b.size());
        LOG.info("cache: evicted sha256:{} ({} bytes)", b.hex(), b.size());
        vertx.fileSystem().delete(b.file().toString()).onFailure(err -> {});
        try {
          provers.forget(b.hex()); // on a worker thread already
        } catch (IOException e) {
          LOG.warn("cache: prover record of sha256:{}: {}", b.hex(), e.toString());
        }
      }
    }
  }

  /** Rebuilds the index (worker thread); returns the large blobs still to be re-hashed. */
  private List<CachedBlob> scan() throws IOException {
    Files.createDirectories(blobs);
    UnfinishedWrites.clear(tmp, "fill");
    List<CachedBlob> unchecked = new ArrayList<>();
    try (Stream<Path> files = Files.list(blobs)) {
      for (Path p : files.toList()) {
        String hex = p.getFileName().toString();
        if (!HEX.matcher(hex).matches() || !Files.isRegularFile(p)) {
          LOG.warn("cache: removing stray file {}", p);
          Files.deleteIfExists(p);
          continue;
        }
        long size = Files.size(p);
        boolean small = size <= CHECK_AT_START;
        if (small && !hashMatches(p, hex)) {
          LOG.warn("cache: sha256:{} is corrupt; dropped", hex);
          Files.deleteIfExists(p);
          continue;
        }
        CachedBlob blob =
            new CachedBlob(
                hex,
                p,
                size,
                Files.getLastModifiedTime(p).toMillis(),
                small ? Future.succeededFuture(true) : null);
        add(blob);
        if (size > CHECK_AT_START) {
          unchecked.add(blob);
        }
      }
    }
    provers.load(index::containsKey).forEach((hex, names) -> index.get(hex).proven(names));
    LOG.info("cache: {} blobs, {} bytes in {}", index.size(), total.get(), blobs);
    return unchecked;
  }

  /** Re-hashes large blobs one at a time on a worker thread; a corrupt one is dropped. */
  private void checkInBackground(List<CachedBlob> unchecked) {
    if (unchecked.isEmpty()) {
      return;
    }
    CachedBlob next = unchecked.get(0);
    verified(next).onComplete(ar -> checkInBackground(unchecked.subList(1, unchecked.size())));
  }

  static boolean hashMatches(Path file, String hex) {
    Digest digest = new Digest("sha256", hex);
    MessageDigest md = digest.newMessageDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[256 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    } catch (IOException e) {
      return false;
    }
    return digest.matches(md.digest());
  }
}
