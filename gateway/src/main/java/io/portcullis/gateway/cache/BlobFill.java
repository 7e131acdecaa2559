package io.portcullis.gateway.cache;

import io.netty.buffer.ByteBuf;
import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.upstream.OwnedBody;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blob being written into the cache from one upstream read, of the {@link #upstream()} it comes
 * from: a verified fill is that upstream's proof that it holds the blob ({@link BlobProvers}), and
 * only requests through that upstream follow it. The upstream is paced by the disk (at most {@link
 * #HIGH_WATER} bytes of writes in flight), and by a client only for a moment (at most {@link
 * #HOLD_NANOS} per reader and {@link #FILL_HOLD_NANOS} per fill, see {@link #forget}), so the fill
 * finishes even when every client has gone or stopped reading. Readers ({@link GrowingFileReader})
 * follow it as the bytes arrive: the bytes received are readable at once, from memory (a window of
 * the last {@link #WINDOW} bytes received, and everything not yet on disk: the file is written
 * behind), and from the temp file below that. Only when the length and digest check out is the file
 * moved to its content address; otherwise it is deleted and every reader fails.
 *
 * <p>A large body is read into buffers this fill owns ({@link OwnedBody}): no copy on the heap, and
 * readers write slices of them to their clients, where Netty would otherwise copy a heap chunk back
 * into direct memory. Each such chunk is counted ({@link ByteBuf#retain}) once for the window, once
 * for the writer's batch, and once for every reader's write in flight, and goes back to the pool
 * when the last of them lets go; the window lets go of what is left once the fill is over and no
 * reader follows it any more.
 */
public final class BlobFill {
  private static final Logger LOG = LoggerFactory.getLogger(BlobFill.class);
  static final long HIGH_WATER = 4L * 1024 * 1024;
  private static final long LOW_WATER = 2L * 1024 * 1024;
  private static final int WRITE_SIZE = 512 * 1024;
  // Readers within this many bytes of the head take them from memory: every reader of a fill on
  // a fast connection, and any slow one until it falls this far behind. A fill holds this, what is
  // not yet on disk (HIGH_WATER) and one batch: 8.5 MiB, the upstream's own buffers (no copies).
  static final long WINDOW = 4L * 1024 * 1024;
  // A reader that was keeping up and falls behind for a moment (a collection, a scheduling gap:
  // 4 MiB is 5 ms of a fast upstream) keeps its bytes in memory up to this far behind the head,
  // while every fill's bytes kept that way stay within ELASTIC_BUDGET. Beyond either it reads from
  // the temp file, and a reader on the file never catches up with a fill as fast as the disk: one
  // such gap then slowed the whole rest of a cold pull to a third (measured: 1 round in 4).
  static final long MAX_WINDOW = 16L * 1024 * 1024;
  static final long ELASTIC_BUDGET = 64L * 1024 * 1024;
  // Past those bounds the fill holds the upstream back for such a reader, as a plain proxy's
  // client paces its upstream, but for no more than this in all: a reader slower than the
  // upstream for longer (a slow client) then reads from the file, and the fill goes on without it.
  static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  // And for all its readers together: a thousand clients that stop reading must not hold a fill
  // that others wait for a thousand times as long.
  static final long FILL_HOLD_NANOS = 2 * HOLD_NANOS;
  private static final AtomicLong ELASTIC = new AtomicLong();
  // Bodies at least this large are read into owned buffers. A smaller one may already have been
  // read whole (into Vert.x's queue, while the temp file was being created) when the fill starts
  // to read it, its connection back in the pool and reading another response; a larger one
  // cannot, since Vert.x stops reading a paused response after some 2 MiB.
  static final long OWNED_MIN = 8L * 1024 * 1024;

  /** Where a fill is. */
  public enum State {
    /** Waiting for the upstream's answer. */
    PENDING,
    /** Bytes arrive, are readable at once and are written to the temp file behind. */
    STREAMING,
    /** All bytes are on disk and match the digest; readers may finish. */
    VERIFIED,
    /** Broken, mismatched or refused: nothing was cached. */
    FAILED
  }

  private final Vertx vertx;
  private final BlobStore store;
  private final Digest digest;
  private final String upstream;
  private final Path temp;
  private final Promise<Void> stored = Promise.promise();
  private Future<FillWriter> creation;
  // The bytes received that are in memory, as the upstream delivered them (guarded by this):
  // everything not yet on disk, and the last WINDOW bytes. windowStart is the offset of the first.
  private final ArrayDeque<Chunk> window = new ArrayDeque<>();
  private long windowStart;
  private List<Runnable> waiters = new ArrayList<>();
  // Readers following the fill now (guarded by this); the window is let go of once the fill is
  // over and none is left.
  private final List<Follower> readers = new ArrayList<>();
  // Bytes of the window kept only for a reader behind it (counted in ELASTIC).
  private long elastic;
  // The reader the upstream is held back for, since when (guarded by this), and whether a look
  // at the readers is already posted to the fill's loop.
  private Follower holdingFor;
  private long holdSince;
  private volatile boolean holding;
  private final AtomicBoolean recheckPosted = new AtomicBoolean();
  private ReadStream<Buffer> body;
  private long holdTimer = -1;
  private long heldTotal;
  private boolean over;
  private boolean disposed;
  // Readers may live on other event loops: what they read is published through volatiles.
  private volatile State state = State.PENDING;
  private volatile long expectedLength = -1;
  private volatile long received;
  private volatile long written;
  private long inFlight;
  private boolean upstreamEnded;
  private List<Buffer> batch = new ArrayList<>();
  // Set when the body is read into owned buffers: its flow is then held back at the socket.
  private OwnedBody owned;
  private boolean armTried;
  // The event loop the body is read on (set as it starts to be read).
  private volatile Context loop;
  private long batchBytes;
  private long batchAt;
  // An upstream failure (its connection closed) before the temp file is open: nobody reads the
  // body yet, and a stream reports a failure once, to the handler it has then.
  private volatile Throwable failedEarly;

  BlobFill(Vertx vertx, BlobStore store, Digest digest, String upstream, Path temp) {
    this.vertx = vertx;
    this.store = store;
    this.digest = digest;
    this.upstream = upstream;
    this.temp = temp;
  }

  public Digest digest() {
    return digest;
  }

  /** The name of the upstream the bytes come from. */
  public String upstream() {
    return upstream;
  }

  public State state() {
    return state;
  }

  /** The declared length, or -1 when the upstream did not say. */
  public long expectedLength() {
    return expectedLength;
  }

  /** Bytes received and hashed, readable from offset 0 ({@link #inMemory}, or the file). */
  long received() {
    return received;
  }

  /** Bytes on disk in the temp file, readable from offset 0. */
  long written() {
    return written;
  }

  Path temp() {
    return temp;
  }

  /** Completes when the verified blob is in the store; fails when it will never be. */
  public Future<Void> stored() {
    return stored.future();
  }

  /** The state once the fill has left {@link State#PENDING}. */
  public Future<State> started() {
    // Completed by the fill on its own event loop; its listeners run on the caller's, which
    // serves another client connection (a plain promise ran them on the fill's loop, which then
    // set that client's response headers from the wrong thread).
    Context caller = Vertx.currentContext();
    Promise<State> p = Promise.promise();
    Runnable check =
        new Runnable() {
          @Override
          public void run() {
            State seen = state;
            if (seen == State.PENDING) {
              onProgress(received, seen, this);
            } else {
              p.tryComplete(seen);
            }
          }
        };
    check.run();
    return caller == null
        ? p.future()
        : Future.fromCompletionStage(p.future().toCompletionStage(), caller);
  }

  /**
   * Calls {@code r} once, on the next progress or change of state after the caller saw {@code
   * seenReceived} bytes received in state {@code seenState}: at once when there has been some
   * since. Checking and waiting are one step, so a change made on another thread between the
   * caller's look and its wait is never missed (it would wait for good).
   */
  void onProgress(long seenReceived, State seenState, Runnable r) {
    synchronized (this) {
      // received and state change before notifyWaiters takes this lock to run the waiters
      if (received == seenReceived && state == seenState) {
        waiters.add(r);
        return;
      }
    }
    r.run();
  }

  /**
   * Writes {@code body} (an upstream 200) to the temp file. {@code length} is the declared length
   * or -1. Returns at once; progress is reported to the readers.
   */
  public void start(ReadStream<Buffer> body, long length) {
    body.pause();
    body.exceptionHandler(err -> failedEarly = err);
    this.expectedLength = length;
    creating()
        .onSuccess(
            writer -> {
              state = State.STREAMING;
              notifyWaiters();
              pump(body, writer);
            })
        .onFailure(
            err -> {
              store.refuse(this, err);
              body.handler(b -> {}).endHandler(v -> {}).resume();
            });
  }

  private void pump(ReadStream<Buffer> body, FillWriter writer) {
    loop = Vertx.currentContext();
    this.body = body;
    if (failedEarly != null) {
      failAndClose(writer, failedEarly);
      return;
    }
    body.exceptionHandler(err -> failAndClose(writer, err));
    body.handler(
        chunk -> {
          if (!armTried) {
            // Armed with the first chunk delivered: Vert.x's queue is empty then, and the body
            // flows, so no owned chunk is ever queued (and dropped unreleased on a close) there.
            armTried = true;
            if (expectedLength >= OWNED_MIN && body instanceof HttpClientResponse resp) {
              owned = OwnedBody.arm(resp);
            }
          }
          boolean own = OwnedBody.owned(chunk);
          if (state == State.FAILED) {
            if (own) {
              OwnedBody.release(chunk);
            }
            dropBatch();
            return;
          }
          // Readers get the bytes now; the hash and the disk get them in batches behind.
          synchronized (this) {
            if (disposed) { // failed on another thread since the look above
              if (own) {
                OwnedBody.release(chunk);
              }
              return;
            }
            window.add(new Chunk(received, chunk, own));
          }
          if (own) {
            OwnedBody.buffer(chunk).retain(); // the writer's, released once hashed and staged
          }
          if (batch.isEmpty()) {
            batchAt = received;
          }
          batch.add(chunk);
          batchBytes += chunk.length();
          received += chunk.length();
          if (batchBytes >= WRITE_SIZE) {
            writeBatch(body, writer);
          }
          notifyWaiters();
        });
    body.endHandler(
        v -> {
          if (!batch.isEmpty() && state != State.FAILED) {
            writeBatch(body, writer);
          }
          dropBatch();
          upstreamEnded = true;
          finishIfComplete(writer);
        });
    body.resume();
  }

  /**
   * Hands the chunks gathered since the last batch to the writer: network chunks are small (up to
   * 64 KiB), and a worker-thread round trip per chunk would cost more than the work.
   */
  private void writeBatch(ReadStream<Buffer> body, FillWriter writer) {
    List<Buffer> chunks = batch;
    long n = batchBytes;
    batch = new ArrayList<>();
    batchBytes = 0;
    inFlight += n;
    if (inFlight > HIGH_WATER) {
      pause(body);
    }
    writer
        .write(chunks, batchAt)
        .onComplete(
            ar -> {
              // hashed and on disk or staged (or never to be): the batch's counts go back here,
              // on the loop that read the buffers, which then frees them (see onLoop)
              chunks.forEach(OwnedBody::release);
              if (ar.failed()) {
                failAndClose(writer, ar.cause());
                return;
              }
              // Batches complete in order (FillWriter chains them).
              inFlight -= n;
              // With direct I/O the file may hold less than the batch: its tail waits in the
              // writer's aligned buffer for the next batch, and in the window for the readers.
              long onDisk = ar.result();
              written = onDisk;
              forget(onDisk); // which also resumes the upstream when the disk has room
              finishIfComplete(writer);
            });
  }

  /** Holds the upstream back: at the socket when the body is owned, else by pausing it. */
  private void pause(ReadStream<Buffer> body) {
    if (owned != null) {
      owned.pause();
    } else {
      body.pause();
    }
  }

  private void resume(ReadStream<Buffer> body) {
    if (owned != null) {
      owned.resume();
    } else {
      body.resume();
    }
  }

  /**
   * Bytes as the upstream delivered them, at their offset in the blob; {@code owned} when they are
   * in a buffer of {@link OwnedBody}'s pool, of which the window holds one count.
   */
  private record Chunk(long at, Buffer bytes, boolean owned) {
    long end() {
      return at + bytes.length();
    }

    void release() {
      if (owned) {
        OwnedBody.release(bytes);
      }
    }
  }

  /**
   * Lets go of chunks on disk below {@code onDisk} that lie beyond the window, unless a reader
   * still taking its bytes from memory needs them: within {@link #MAX_WINDOW} and {@link
   * #ELASTIC_BUDGET} they are kept; beyond, the upstream is held back for that reader for what is
   * left of its {@link #HOLD_NANOS}, after which it reads from the file. On the fill's loop.
   */
  private void forget(long onDisk) {
    boolean hold = false;
    synchronized (this) {
      Follower last = null;
      for (Follower f : readers) {
        long at = f.position;
        if (at >= windowStart && (last == null || at < last.position)) {
          last = f;
        }
      }
      long behind = last == null ? Long.MAX_VALUE : last.position;
      long kept = 0;
      for (Chunk c : window) {
        if (c.end() > onDisk || received - c.end() < WINDOW) {
          break;
        }
        kept += c.bytes().length();
      }
      // kept: what the plain window would let go of now. Let go of what no reader needs, then
      // keep what one does within the bounds, or hold for it while it may be held for.
      while (!window.isEmpty() && kept > 0) {
        Chunk first = window.peek();
        if (behind < first.end()) {
          if (received - first.at() <= MAX_WINDOW
              && ELASTIC.get() - elastic + kept <= ELASTIC_BUDGET) {
            break;
          }
          if (mayHoldFor(last)) {
            hold = true;
            break;
          }
        }
        window.poll();
        windowStart = first.end();
        first.release();
        kept -= first.bytes().length();
      }
      ELASTIC.addAndGet(kept - elastic);
      elastic = kept;
      if (!hold) {
        endHold();
      }
    }
    if (hold) {
      pause(body);
    } else if (inFlight < LOW_WATER && !upstreamEnded) {
      resume(body);
    }
  }

  /** True when the upstream may be held back for {@code f} now (guarded by this). */
  private boolean mayHoldFor(Follower f) {
    long now = System.nanoTime();
    if (holdingFor != f) {
      endHold();
      holdingFor = f;
      holdSince = now;
      holding = true;
    }
    long left = Math.min(HOLD_NANOS - f.held, FILL_HOLD_NANOS - heldTotal) - (now - holdSince);
    if (left <= 0) {
      endHold();
      f.held = HOLD_NANOS;
      return false;
    }
    // set again on every look: a timer may fire a little early (a millisecond's rounding), and
    // the upstream would then stay held until the reader moved
    vertx.cancelTimer(holdTimer);
    lookAgainIn(left);
    return true;
  }

  private void lookAgainIn(long nanos) {
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos + TimeUnit.MILLISECONDS.toNanos(1) - 1);
    holdTimer = vertx.setTimer(Math.max(1, ms), t -> recheck());
  }

  /** Stops holding the upstream for a reader, counting the time against it (guarded by this). */
  private void endHold() {
    if (holdingFor != null) {
      long elapsed = System.nanoTime() - holdSince;
      holdingFor.held += elapsed;
      heldTotal += elapsed;
      holdingFor = null;
      holding = false;
      vertx.cancelTimer(holdTimer);
    }
  }

  /** A reader moved while the upstream is held back for one: look again, on the fill's loop. */
  void readerMoved() {
    if (holding && recheckPosted.compareAndSet(false, true)) {
      onLoop(loop, this::recheck);
    }
  }

  private void recheck() {
    recheckPosted.set(false);
    if (state == State.STREAMING) {
      forget(written);
    }
  }

  /** How long the upstream was held back for readers, in all. */
  synchronized long heldNanos() {
    return heldTotal + (holdingFor == null ? 0 : System.nanoTime() - holdSince);
  }

  /** Bytes the windows of all fills keep now for readers behind them. */
  static long elasticBytes() {
    return ELASTIC.get();
  }

  /** A reader of this fill: how far it has taken the blob, published for {@link #forget}. */
  static final class Follower {
    volatile long position;
    // How long the upstream has been held back for this reader (guarded by the fill).
    long held;
  }

  /**
   * Bytes from memory for a reader: {@code held}, when not null, is a count on the buffer they are
   * in, which the reader releases once it has written them.
   */
  record InMemory(Buffer bytes, ByteBuf held, Context loop) {
    void release() {
      if (held != null) {
        onLoop(loop, held::release);
      }
    }
  }

  /**
   * Runs a release on {@code loop}, the event loop that read the buffers: one freed on another
   * thread takes the pool's arena lock against the loop's allocations. With the hashing worker
   * freeing them, one cold round in three ran at half speed with twice the system CPU (measured;
   * the lock is the likely cause, not profiled).
   */
  private static void onLoop(Context loop, Runnable release) {
    if (loop == null || Vertx.currentContext() == loop) {
      release.run();
    } else {
      loop.runOnContext(v -> release.run());
    }
  }

  /**
   * Up to {@code max} bytes at {@code position} (below {@link #received}) from memory, without a
   * copy; null when they are no longer there and must be read from the file, where they are.
   */
  synchronized InMemory inMemory(long position, int max) {
    if (position < windowStart || disposed) {
      return null;
    }
    // Readers are mostly near the head: look from the newest chunk back.
    for (var it = window.descendingIterator(); it.hasNext(); ) {
      Chunk c = it.next();
      if (position >= c.at()) {
        int from = (int) (position - c.at());
        int to = (int) Math.min(c.bytes().length(), from + (long) max);
        if (!c.owned()) {
          return new InMemory(c.bytes().slice(from, to), null, null);
        }
        ByteBuf buf = OwnedBody.buffer(c.bytes());
        // counted while the window still holds it: it cannot go back to the pool in between
        buf.retain();
        return new InMemory(BufferInternal.buffer(buf.slice(from, to - from)), buf, loop);
      }
    }
    return null;
  }

  /** A reader starts to follow the fill, from offset 0. */
  synchronized Follower join() {
    Follower f = new Follower();
    readers.add(f);
    return f;
  }

  /** A reader that {@link #join}ed is done, having sent these many bytes from memory and file. */
  void leave(Follower f, long fromMemory, long fromFile) {
    store.metrics().fillBytesFollowed("memory", fromMemory);
    store.metrics().fillBytesFollowed("file", fromFile);
    boolean heldFor;
    synchronized (this) {
      readers.remove(f);
      heldFor = holdingFor == f;
    }
    if (heldFor && recheckPosted.compareAndSet(false, true)) {
      onLoop(loop, this::recheck);
    }
    disposeIfDone();
  }

  /** The fill is over, stored or failed: once no reader follows it, its window goes. */
  private void over() {
    synchronized (this) {
      over = true;
    }
    disposeIfDone();
  }

  private void disposeIfDone() {
    List<Chunk> left;
    synchronized (this) {
      if (!over || !readers.isEmpty() || disposed) {
        return;
      }
      disposed = true;
      left = new ArrayList<>(window);
      window.clear();
      ELASTIC.addAndGet(-elastic);
      elastic = 0;
    }
    onLoop(loop, () -> left.forEach(Chunk::release));
  }

  private void finishIfComplete(FillWriter writer) {
    if (!upstreamEnded || state != State.STREAMING || inFlight > 0) {
      return;
    }
    if (expectedLength >= 0 && received != expectedLength) {
      failAndClose(
          writer,
          new IllegalStateException(
              "upstream sent " + received + " of " + expectedLength + " bytes"));
      return;
    }
    // Reached once: the state leaves STREAMING below.
    if (!writer.matches(digest)) {
      failAndClose(writer, new IllegalStateException("upstream bytes do not match " + digest));
      return;
    }
    state = State.VERIFIED;
    notifyWaiters();
    // Durable before it becomes visible: a crash never leaves a short file under a digest name.
    writer
        .sync(received)
        .compose(x -> store.commit(this, received, writer.direct()))
        .onSuccess(x -> stored.tryComplete())
        .onFailure(
            err -> {
              LOG.warn("cache: could not store {}: {}", digest, err.toString());
              stored.tryFail(err);
              store.abandon(this);
            })
        .onComplete(x -> over());
  }

  private void failAndClose(FillWriter writer, Throwable err) {
    if (state == State.FAILED || state == State.VERIFIED) {
      return;
    }
    fail(err);
    dropBatch();
    writer.close().onComplete(x -> store.abandon(this));
  }

  /** Lets go of a batch that will never be written (on the fill's event loop). */
  private void dropBatch() {
    batch.forEach(OwnedBody::release);
    batch.clear();
    batchBytes = 0;
  }

  /** Fails the fill (and its readers); the temp file is removed by the store. */
  void fail(Throwable err) {
    if (state == State.FAILED || state == State.VERIFIED) {
      return;
    }
    state = State.FAILED;
    LOG.warn("cache: fill of {} failed, nothing cached: {}", digest, err.getMessage());
    stored.tryFail(err);
    notifyWaiters();
    over();
    // A temp file created while the upstream was asked, for a fill refused since, is deleted
    // once it exists (deleted before, it would be created after and left behind).
    creating().onSuccess(writer -> writer.close().onComplete(x -> store.abandon(this)));
  }

  /**
   * Starts creating the temp file while the upstream is asked for the blob, so that the first bytes
   * need not wait for a worker thread to create it (1 to 4 ms of a 10 to 13 ms time to the first
   * byte, measured in the gateway). Called once, by the store, as the fill begins.
   */
  void prepare() {
    creating();
  }

  private synchronized Future<FillWriter> creating() {
    if (creation == null) {
      creation = FillWriter.create(vertx, temp, digest, store.directWrites());
    }
    return creation;
  }

  private void notifyWaiters() {
    List<Runnable> now;
    synchronized (this) {
      if (waiters.isEmpty()) {
        return;
      }
      now = waiters;
      waiters = new ArrayList<>();
    }
    now.forEach(Runnable::run);
  }
}
