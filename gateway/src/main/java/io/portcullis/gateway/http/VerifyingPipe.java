package io.portcullis.gateway.http;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.upstream.Bodies;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;

/**
 * Streams a blob to a client with backpressure while hashing it, and lets the client see a complete
 * response only when the bytes match the digest. The most recent chunk is held back until the
 * upstream has ended and the digest (and length) check out; on a mismatch or a broken upstream the
 * client connection is reset, so a client can never receive a clean 200 for wrong bytes. Memory use
 * is one chunk plus the write queue, whatever the blob size.
 */
public final class VerifyingPipe {

  /** What happened to a transfer, for logs and metrics. */
  public enum Outcome {
    VERIFIED,
    DIGEST_MISMATCH,
    TRUNCATED,
    UPSTREAM_FAILED,
    CLIENT_GONE
  }

  private VerifyingPipe() {}

  /**
   * Pipes {@code source} into {@code sink}. {@code expectedLength} is -1 when unknown. The returned
   * future completes (never fails) with the outcome once the transfer is over.
   */
  public static Future<Outcome> pipe(
      ReadStream<Buffer> source, HttpServerResponse sink, Digest expected, long expectedLength) {
    Promise<Outcome> done = Promise.promise();
    MessageDigest md = expected.newMessageDigest();
    Buffer[] held = {null};
    long[] received = {0};

    sink.closeHandler(
        v -> {
          // The caller stops the upstream transfer; nothing more is written here.
          done.tryComplete(Outcome.CLIENT_GONE);
        });
    source.exceptionHandler(
        err -> {
          if (done.tryComplete(Outcome.UPSTREAM_FAILED)) {
            sink.reset();
          }
        });
    source.handler(
        chunk -> {
          Bodies.hash(md, chunk);
          received[0] += chunk.length();
          if (held[0] != null) {
            sink.write(held[0]);
          }
          held[0] = chunk;
          if (sink.writeQueueFull()) {
            source.pause();
            sink.drainHandler(v -> source.resume());
          }
        });
    source.endHandler(
        v -> {
          if (done.future().isComplete()) {
            return;
          }
          if (expectedLength >= 0 && received[0] != expectedLength) {
            done.complete(Outcome.TRUNCATED);
            sink.reset();
          } else if (!expected.matches(md.digest())) {
            done.complete(Outcome.DIGEST_MISMATCH);
            sink.reset();
          } else {
            done.complete(Outcome.VERIFIED);
            if (held[0] == null) {
              sink.end();
            } else {
              sink.end(held[0]);
            }
          }
        });
    source.resume();
    return done.future();
  }
}
