package io.portcullis.gateway.testing;

import io.portcullis.gateway.testing.FaultyUpstream.Fault;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/**
 * Streams one blob body from the registry to the client with backpressure, applying a {@link Fault}
 * at the byte in the middle: inverting it ({@code CORRUPT}), sending the rest slowly ({@code
 * TRICKLE}) or closing the connection just before it ({@code TRUNCATE}).
 */
final class FaultyBody {
  private static final int TRICKLE_PIECE = 4096;
  private static final long TRICKLE_MS = 200;
  private final Fault fault;
  private final long middle;
  private final HttpClientResponse upstream;
  private final HttpServerResponse response;
  private final HttpConnection connection;
  private long position;
  private boolean cut;
  private Vertx vertx;
  // TRICKLE: the bytes after the middle, sent a piece at a time; the registry is paused meanwhile.
  private Buffer trickling;
  private boolean ended;

  FaultyBody(
      Fault fault,
      long length,
      HttpClientResponse upstream,
      HttpServerResponse response,
      HttpConnection connection) {
    this.fault = fault;
    this.middle = length / 2;
    this.upstream = upstream;
    this.response = response;
    this.connection = connection;
  }

  void start(Vertx vertx) {
    this.vertx = vertx;
    upstream.handler(this::onChunk);
    upstream.endHandler(v -> onEnd());
    upstream.exceptionHandler(e -> connection.close());
    upstream.resume();
  }

  private void onChunk(Buffer chunk) {
    if (cut) {
      return;
    }
    long start = position;
    position += chunk.length();
    boolean holdsMiddle = start <= middle && middle < position;
    if (fault == Fault.TRUNCATE && holdsMiddle) {
      cutAt((int) (middle - start), chunk);
      return;
    }
    if (fault == Fault.TRICKLE && (holdsMiddle || trickling != null)) {
      if (trickling == null) {
        int at = (int) (middle - start);
        write(chunk.getBuffer(0, at));
        trickling = chunk.getBuffer(at, chunk.length());
        vertx.setTimer(TRICKLE_MS, id -> trickle());
      } else {
        trickling.appendBuffer(chunk);
      }
      return;
    }
    Buffer out = chunk;
    if (fault == Fault.CORRUPT && holdsMiddle) {
      int at = (int) (middle - start);
      out = chunk.copy();
      out.setByte(at, (byte) ~out.getByte(at));
    }
    write(out);
  }

  /** Sends the bytes before the middle, then drops the connection once they are flushed. */
  private void cutAt(int keep, Buffer chunk) {
    cut = true;
    response.write(chunk.getBuffer(0, keep)).onComplete(v -> connection.close());
    // stop reading the registry: the rest of this body is never wanted
    upstream.request().reset();
  }

  /** Sends the next piece of a trickled body; the end once all are sent and the registry ended. */
  private void trickle() {
    int n = Math.min(TRICKLE_PIECE, trickling.length());
    response.write(trickling.getBuffer(0, n));
    trickling = trickling.getBuffer(n, trickling.length());
    if (trickling.length() > 0 || !ended) {
      vertx.setTimer(TRICKLE_MS, id -> trickle());
    } else {
      response.end();
    }
  }

  private void onEnd() {
    if (trickling != null) {
      ended = true;
      return;
    }
    if (fault == Fault.TRUNCATE && !cut) {
      // an empty body has no middle: cut it off right after the headers
      cut = true;
      response.write(Buffer.buffer()).onComplete(v -> connection.close());
    } else if (!cut) {
      response.end();
    }
  }

  private void write(Buffer out) {
    response.write(out);
    if (response.writeQueueFull()) {
      upstream.pause();
      response.drainHandler(v -> upstream.resume());
    }
  }
}
