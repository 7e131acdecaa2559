package io.portcullis.core.tuf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HTTP response body read whole, but only up to a cap and before a deadline: a server that
 * announces or sends more is cut off at the cap, and one that trickles or stops is cut off when the
 * deadline passes (the JDK client's request timeout ends when the headers arrive, so a body read
 * without one can block its thread for ever).
 */
public final class BoundedBody {
  private BoundedBody() {}

  /**
   * The bytes of {@code body}, closed under the reader when {@code within} passes first.
   *
   * @param what the file or service named in the exceptions
   * @param declaredLength the response's {@code Content-Length}, or -1
   * @throws TufException.TooLarge when longer than {@code maxBytes}, announced or read
   * @throws TufException.FetchFailed when the deadline passed, or reading failed
   */
  public static byte[] read(
      String what, InputStream body, long declaredLength, long maxBytes, Duration within)
      throws TufException {
    if (declaredLength > maxBytes) {
      throw new TufException.TooLarge(
          what + " is " + declaredLength + " bytes, more than " + maxBytes);
    }
    if (within.isNegative() || within.isZero()) {
      throw new TufException.FetchFailed("no time was left to read " + what);
    }
    AtomicBoolean expired = new AtomicBoolean();
    CompletableFuture<Void> deadline =
        CompletableFuture.runAsync(
            () -> {
              expired.set(true);
              try {
                body.close();
              } catch (IOException e) {
                // closing is all that is wanted; the reader sees the stream end or fail
              }
            },
            CompletableFuture.delayedExecutor(within.toNanos(), TimeUnit.NANOSECONDS));
    try {
      byte[] bytes = readCapped(what, body, maxBytes);
      if (expired.get()) {
        throw tooSlow(what, within, null);
      }
      return bytes;
    } catch (IOException e) {
      if (expired.get()) {
        throw tooSlow(what, within, e);
      }
      throw new TufException.FetchFailed("reading " + what + " failed: " + e.getMessage(), e);
    } finally {
      deadline.cancel(false);
    }
  }

  private static TufException.FetchFailed tooSlow(String what, Duration within, IOException e) {
    return new TufException.FetchFailed("reading " + what + " took longer than " + within, e);
  }

  private static byte[] readCapped(String what, InputStream body, long maxBytes)
      throws IOException, TufException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(maxBytes, 64 * 1024));
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    for (int n; (n = body.read(buffer)) != -1; ) {
      total += n;
      if (total > maxBytes) {
        throw new TufException.TooLarge(what + " is longer than " + maxBytes + " bytes");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }
}
