package io.portcullis.gateway.errors;

import java.util.Map;

/**
 * A request failure that the one failure handler turns into {@code
 * {"errors":[{"code","message","detail"}]}}. The status defaults to the code's own; a few cases (a
 * 413 for an oversized manifest, a 502 for a misbehaving upstream) override it.
 */
public final class OciException extends RuntimeException {
  private final OciErrorCode code;
  private final int status;
  private final transient Object detail;
  private final Map<String, String> headers;

  private OciException(
      OciErrorCode code, int status, String message, Object detail, Map<String, String> headers) {
    super(message == null ? code.defaultMessage() : message, null, false, false);
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public static OciException of(OciErrorCode code, String message) {
    return new OciException(code, code.status(), message, null, null);
  }

  public static OciException of(OciErrorCode code, String message, Object detail) {
    return new OciException(code, code.status(), message, detail, null);
  }

  /** The same code sent with another HTTP status (e.g. 502 for an upstream at fault). */
  public static OciException withStatus(OciErrorCode code, int status, String message) {
    return new OciException(code, status, message, null, null);
  }

  public OciException withHeader(String name, String value) {
    Map<String, String> merged = new java.util.LinkedHashMap<>(headers);
    merged.put(name, value);
    return new OciException(code, status, getMessage(), detail, merged);
  }

  public OciErrorCode code() {
    return code;
  }

  public int status() {
    return status;
  }

  public Object detail() {
    return detail;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
