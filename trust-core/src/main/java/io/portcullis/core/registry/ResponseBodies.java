package io.portcullis.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.oci.ManifestCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

/**
 * Reads response bodies with a cap, and turns failed responses into the matching {@link
 * RegistryException}, quoting the registry's <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes">error
 * codes</a> when it sent them.
 */
final class ResponseBodies {
  static final int MAX_ERROR_BODY = 64 * 1024;

  private ResponseBodies() {}

  /** The whole body, failing if it exceeds {@code cap} bytes. Closes the stream. */
  static byte[] read(HttpResponse<InputStream> response, long cap, String what) {
    try (InputStream in = response.body()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap + 1));
      if (bytes.length > cap) {
        throw new RegistryProtocolException(what + " is larger than the " + cap + "-byte limit");
      }
      return bytes;
    } catch (IOException e) {
      throw new RegistryUnreachableException(what + ": connection lost while reading", e);
    }
  }

  static void discard(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      // reading a small remainder lets the connection be reused; a large one is cut off
      in.readNBytes(MAX_ERROR_BODY);
    } catch (IOException e) {
      // the body is unwanted; a broken connection here changes nothing
    }
  }

  /** The exception for an unexpected status; reads (and closes) the error body. */
  static RegistryException failure(HttpResponse<InputStream> response, String what) {
    int status = response.statusCode();
    String detail = errorDetail(response);
    String message = what + ": HTTP " + status + (detail.isEmpty() ? "" : " " + detail);
    return switch (status) {
      case 404 -> new RegistryNotFoundException(message);
      case 401, 403 -> new RegistryUnauthorizedException(message);
      case 502, 503, 504 -> new RegistryUnreachableException(message);
      default -> new RegistryProtocolException(message);
    };
  }

  private static String errorDetail(HttpResponse<InputStream> response) {
    byte[] body;
    try {
      body = read(response, MAX_ERROR_BODY, "error body");
    } catch (RegistryException e) {
      return "";
    }
    try {
      JsonNode errors = ManifestCodec.mapper().readTree(body).path("errors");
      StringBuilder out = new StringBuilder();
      for (JsonNode error : errors) {
        if (out.length() > 0) {
          out.append("; ");
        }
        out.append(error.path("code").asText("UNKNOWN"));
        String msg = error.path("message").asText("");
        if (!msg.isEmpty()) {
          out.append(" (").append(msg).append(')');
        }
      }
      return out.toString();
    } catch (IOException | RuntimeException e) {
      return ""; // not the spec's error JSON; the status says enough
    }
  }
}
