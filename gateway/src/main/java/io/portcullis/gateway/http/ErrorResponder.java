package io.portcullis.gateway.http;

import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single place that serialises failures as OCI error JSON. Anything that is not an {@link
 * OciException} is logged with its stack trace and answered with a bare {@code UNKNOWN}: a client
 * never sees a stack trace.
 */
public final class ErrorResponder {
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
    OciException oci = toOci(failure);
    if (oci == null) {
      LOG.error("internal error on {} {}", request.method(), request.path(), failure);
      oci = OciException.of(OciErrorCode.UNKNOWN, "internal error; see the gateway log");
    }
    if (!request.isEnded() && !request.response().headWritten()) {
      // The body was never read: drop it and this connection rather than parse it as a request.
      request.response().putHeader("Connection", "close");
      request.resume();
    }
    send(request.response(), oci);
  }

  public static void send(HttpServerResponse response, OciException e) {
    if (response.headWritten() || response.ended() || response.closed()) {
      // Bytes are already on the wire: the only honest signal left is to break the connection.
      response.reset();
      return;
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
    response
        .putHeader("Content-Type", "application/json")
        .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
        .end(body);
  }
}
