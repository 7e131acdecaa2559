package io.portcullis.gateway.upstream;

import io.netty.buffer.ByteBuf;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;

/**
 * Collects small bodies (manifests, token and error JSON) into memory with a hard cap, failing as
 * soon as the cap is passed rather than after reading everything, and stopping an upstream body
 * there (never used for blobs); and hashes a streamed chunk in place, for the blob paths that
 * verify while they stream.
 */
public final class Bodies {
  private Bodies() {}

  public static Future<Buffer> collect(ReadStream<Buffer> stream, int maxBytes) {
    Promise<Buffer> promise = Promise.promise();
    Buffer all = Buffer.buffer();
    stream.exceptionHandler(promise::tryFail);
    stream.handler(
        chunk -> {
          if (all.length() + chunk.length() > maxBytes) {
            stream.handler(null);
            promise.tryFail(
                OciException.withStatus(
                    OciErrorCode.SIZE_INVALID,
                    413,
                    "body exceeds the limit of " + maxBytes + " bytes"));
            if (stream instanceof HttpClientResponse upstream) {
              // Dropping the rest would still download it: a layer declared at 100 bytes that is
              // really a gigabyte would cost a gigabyte on every request.
              upstream.request().reset();
            }
            return;
          }
          all.appendBuffer(chunk);
        });
    stream.endHandler(v -> promise.tryComplete(all));
    stream.resume();
    return promise.future();
  }

  /** Feeds {@code chunk} to {@code md} from the Netty buffer itself: no copy on the hot path. */
  public static void hash(MessageDigest md, Buffer chunk) {
    ByteBuf buf = ((BufferInternal) chunk).getByteBuf();
    md.update(buf.nioBuffer(buf.readerIndex(), buf.readableBytes()));
  }
}
