package io.portcullis.gateway.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.impl.Http1xClientConnection;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * An upstream response body whose chunks arrive in the pooled direct buffers the connection read
 * them into, owned by the reader, instead of copies. Vert.x copies every chunk read into a pooled
 * buffer onto the heap before a handler sees it (its {@code safeBuffer}, for buffers of Netty's
 * pooling allocators, so that nobody has to release them); for a cold blob that copy, the zeroing
 * of the new arrays, the garbage collections they cause and Netty's copy back into direct memory to
 * write each chunk to the client's socket cost a fifth of the gateway's CPU per byte (a perf
 * profile of cold fills, {@code scripts/bench-cache.sh cpu}).
 *
 * <p>How: while a body is armed, its connection reads with {@link #ALLOCATOR}, a pool of its own
 * that Vert.x does not recognise and so hands on as it is; a handler ahead of Vert.x's in the
 * connection's pipeline disarms it at the body's last chunk, and copies any chunk of that pool that
 * arrives for a body nobody armed (the copy Vert.x would have made), so no other reader of the
 * connection ever gets a buffer it would have to release. The reader of an armed body must {@link
 * #release} every chunk for which {@link #owned} holds, exactly once, and must not pause the
 * response (Vert.x would queue chunks, and drop them unreleased if the connection closed): it holds
 * the connection back with {@link #pause} instead, which stops reading from the socket.
 */
public final class OwnedBody {
  // Netty's own pool, under a class of its own: Vert.x copies buffers whose allocator is exactly
  // PooledByteBufAllocator or AdaptiveByteBufAllocator.
  private static final class Pool extends PooledByteBufAllocator {
    Pool() {
      super(true);
    }
  }

  static final ByteBufAllocator ALLOCATOR = new Pool();
  private static final String GATE = "portcullis-owned-body";
  // Vert.x's handler in an HTTP/1.x client connection's pipeline.
  private static final String VERTX_HANDLER = "handler";

  private final Channel channel;
  private final Gate gate;
  private final long generation;

  private OwnedBody(Channel channel, Gate gate, long generation) {
    this.channel = channel;
    this.gate = gate;
    this.generation = generation;
  }

  /**
   * Arms {@code resp}'s body, on the connection's event loop, with the response flowing (not
   * paused); null where it cannot be (not an HTTP/1.x connection of this loop): its chunks are then
   * Vert.x's heap copies, as for any body.
   */
  public static OwnedBody arm(HttpClientResponse resp) {
    // HTTP/1.x only: an HTTP/2 connection carries other streams' data, whose readers would get
    // buffers of the pool without knowing to release them.
    if (!(resp.request().connection() instanceof Http1xClientConnection connection)) {
      return null;
    }
    Channel channel = connection.channel();
    if (!channel.eventLoop().inEventLoop() || channel.pipeline().get(VERTX_HANDLER) == null) {
      return null;
    }
    Gate gate = (Gate) channel.pipeline().get(GATE);
    if (gate == null) {
      gate = new Gate();
      channel.pipeline().addBefore(VERTX_HANDLER, GATE, gate);
    }
    return new OwnedBody(channel, gate, gate.arm(channel));
  }

  /**
   * Buffers of the pool in use now: zero whenever no owned body is being read or followed (a test
   * that finds more after its transfers found a leak).
   */
  public static long buffersInUse() {
    return ((PooledByteBufAllocator) ALLOCATOR)
        .metric().directArenas().stream().mapToLong(a -> a.numActiveAllocations()).sum();
  }

  /** Stops reading this body from the socket (the chunks already read still arrive). */
  public void pause() {
    if (gate.armedFor(generation)) {
      channel.config().setAutoRead(false);
    }
  }

  /** Reads this body from the socket again. */
  public void resume() {
    if (gate.armedFor(generation)) {
      channel.config().setAutoRead(true);
    }
  }

  /** Whether {@code chunk} is in a buffer of the pool: its reader must {@link #release} it. */
  public static boolean owned(Buffer chunk) {
    return ((BufferInternal) chunk).getByteBuf().alloc() == ALLOCATOR;
  }

  /**
   * The buffer of an {@link #owned} chunk, whose reference counts are the chunk's: a {@link
   * ByteBuf#retain} for each more holder, a {@link ByteBuf#release} by each when done.
   */
  public static ByteBuf buffer(Buffer chunk) {
    // Vert.x hands out its buffers wrapped against release; the wrapped slice shares the count.
    return ((BufferInternal) chunk).getByteBuf().unwrap();
  }

  /** Gives an {@link #owned} chunk back to the pool; does nothing for any other. */
  public static void release(Buffer chunk) {
    if (owned(chunk)) {
      buffer(chunk).release();
    }
  }

  /**
   * Disarms a body at its last chunk; copies a chunk of the pool that arrives for no armed body
   * onto the heap. Lives in the connection's pipeline, on its event loop.
   */
  private static final class Gate extends ChannelInboundHandlerAdapter {
    private boolean armed;
    private long generation;
    private ByteBufAllocator previous;

    long arm(Channel channel) {
      armed = true;
      previous = channel.config().getAllocator();
      channel.config().setAllocator(ALLOCATOR);
      return ++generation;
    }

    boolean armedFor(long body) {
      return armed && generation == body;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof HttpContent content)) {
        ctx.fireChannelRead(msg);
        return;
      }
      Object out = msg;
      if (!armed && content.content().alloc() == ALLOCATOR) {
        ByteBuf copy = Unpooled.copiedBuffer(content.content());
        out = content.replace(copy);
        content.release();
      }
      boolean last = out instanceof LastHttpContent;
      ctx.fireChannelRead(out);
      if (last && armed) {
        disarm(ctx.channel());
      }
    }

    private void disarm(Channel channel) {
      armed = false;
      channel.config().setAllocator(previous);
      // the connection goes back to the pool reading, whatever the reader last asked for
      channel.config().setAutoRead(true);
    }
  }
}
