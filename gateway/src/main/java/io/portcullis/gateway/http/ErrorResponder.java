package io.portcullis.gateway.http;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.VertxConnection;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single place that serialises failures as OCI error JSON. Anything that is not an {@link
 * OciException} is logged with its stack trace and answered with a bare {@code UNKNOWN}: a client
 * never sees a stack trace. A client that went away is no server error: that is logged at DEBUG,
 * without a trace. Every error also carries its code and message in the {@value #HEADER} header,
 * since a HEAD answer has no body to show (containerd prints only the status), and every {@code
 * DENIED} is logged at WARN with the request id, so the reason is in the gateway's log too.
 */
public final class ErrorResponder {
  /** The response header that repeats an error's code and message on one line. */
  public static final String HEADER = "Portcullis-Error";

  static final int MAX_HEADER_VALUE = 512;
  private static final String NETTY_CODEC = "io.netty.handler.codec.";
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);

  private ErrorResponder() {}

  /** Maps a failure to the exception that describes it to a client. */
  public static OciException toOci(Throwable failure) {
    if (failure instanceof OciException oci) {
      return oci;
    }
    if (failure instanceof InvalidReferenceException bad) {
      return OciException.of(OciErrorCode.NAME_INVALID, bad.getMessage());
    }
    return null;
  }

  public static void send(HttpServerRequest request, Throwable failure) {
    HttpServerResponse response = request.response();
    if (clientGone(response)) {
      // Nothing can reach the client any more, and nothing went wrong on this side.
      LOG.debug(
          "client went away during {} {} id={}: {}",
          request.method(),
          request.path(),
          RequestObserver.id(request),
          failure.toString());
      response.reset();
      return;
    }
    OciException oci = toOci(failure);
    // Netty's client decoder fails the same way on an upstream's broken chunks: only a request that
    // sent a chunked body can be blamed for one.
    if (oci == null && request.headers().contains("Transfer-Encoding") && malformedBody(failure)) {
      oci =
          OciException.of(
              OciErrorCode.SIZE_INVALID,
              "the request body is malformed HTTP (a bad chunk size, or a chunk line over 16 KiB)");
      LOG.debug(
          "malformed body on {} {}: {}", request.method(), request.path(), failure.toString());
    }
    if (oci == null) {
      LOG.error("internal error on {} {}", request.method(), request.path(), failure);
      oci = OciException.of(OciErrorCode.UNKNOWN, "internal error; see the gateway log");
    }
    if (oci.code() == OciErrorCode.DENIED) {
      LOG.warn(
          "denied {} {} id={}: {}",
          request.method(),
          request.path(),
          RequestObserver.id(request),
          oci.getMessage());
    }
    boolean brokenBody = oci.code() == OciErrorCode.SIZE_INVALID && malformedBody(failure);
    if (!request.isEnded() && !response.headWritten()) {
      // The body was never read: drop it and this connection rather than parse it as a request.
      response.putHeader("Connection", "close");
      ClientBody.resume(request);
    }
    send(response, oci);
    if (brokenBody) {
      flushBeforeClose(request);
    }
  }

  /**
   * Puts the answer just written to {@code request} on the wire now. Vert.x 5.0 reports a body that
   * does not decode from inside the channel read and closes the channel right after, before the
   * writes made during that read are flushed: without this the client would see the connection drop
   * instead of its 400.
   */
  static void flushBeforeClose(HttpServerRequest request) {
    if (request.connection() instanceof VertxConnection c) {
      c.flush();
    }
  }

  /**
   * Answers a request whose head did not parse (Vert.x's invalid-request hook): the status Vert.x
   * would send (414 for a line over 16 KiB, 431 for headers over 8 KiB, else 400), as OCI error
   * JSON, and the connection closed, since what follows cannot be parsed as requests.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status =
        cause instanceof TooLongHttpLineException
            ? 414
            : cause instanceof TooLongHttpHeaderException ? 431 : 400;
    LOG.debug("malformed request head from {}: {}", AccessGate.address(request), cause);
    HttpServerResponse response = request.response().putHeader("Connection", "close");
    send(
            response,
            OciException.withStatus(
                OciErrorCode.UNSUPPORTED,
                status,
                status == 414
                    ? "the request line is longer than 16 KiB"
                    : status == 431
                        ? "the request headers are larger than 8 KiB"
                        : "the request head is malformed HTTP"))
        .onComplete(written -> request.connection().close());
  }

  /** Writes {@code e} as the response; completes when it is written. */
  public static Future<Void> send(HttpServerResponse response, OciException e) {
    if (response.headWritten() || response.ended() || response.closed()) {
      // Bytes are already on the wire: the only honest signal left is to break the connection.
      response.reset();
      return Future.succeededFuture();
    }
    JsonObject error = new JsonObject().put("code", e.code().name()).put("message", e.getMessage());
    if (e.detail() != null) {
      error.put("detail", e.detail());
    }
    String body = new JsonObject().put("errors", new JsonArray().add(error)).encode();
    response.setStatusCode(e.status());
    for (Map.Entry<String, String> h : e.headers().entrySet()) {
      response.putHeader(h.getKey(), h.getValue());
    }
    return response
        .putHeader("Content-Type", "application/json")
        .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
        .putHeader(HEADER, headerValue(e.code().name(), e.getMessage()))
        .end(body);
  }

  /**
   * {@code <code>: <message>} as one header line: anything outside printable ASCII (line breaks,
   * control characters, non-ASCII) becomes {@code ?}, and the value is cut at {@value
   * #MAX_HEADER_VALUE} characters, so no message can split or forge a header.
   */
  static String headerValue(String code, String message) {
    String raw = code + ": " + (message == null ? "" : message);
    StringBuilder sb = new StringBuilder(Math.min(raw.length(), MAX_HEADER_VALUE));
    for (int i = 0; i < raw.length() && sb.length() < MAX_HEADER_VALUE; i++) {
      char c = raw.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (raw.length() > MAX_HEADER_VALUE) {
      sb.setLength(MAX_HEADER_VALUE - 3);
      sb.append("...");
    }
    return sb.toString().strip();
  }

  /**
   * Whether the client's connection is gone (a hang-up mid-request). Only the response says so: the
   * same exception types also report an upstream that hung up, which is a fault to log.
   */
  private static boolean clientGone(HttpServerResponse response) {
    return response.closed();
  }

  /**
   * Whether HTTP decoding of the request's body failed (malformed chunked encoding). Netty reports
   * a bad chunk size as a plain {@link NumberFormatException} thrown by its decoder, so the frame
   * that threw tells it apart from a fault of this gateway's own code.
   */
  static boolean malformedBody(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      StackTraceElement[] trace = t.getStackTrace();
      if (t instanceof DecoderException
          || (trace.length > 0 && trace[0].getClassName().startsWith(NETTY_CODEC))) {
        return true;
      }
    }
    return false;
  }
}
