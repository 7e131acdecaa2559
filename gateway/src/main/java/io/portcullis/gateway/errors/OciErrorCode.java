package io.portcullis.gateway.errors;

/**
 * The one table of registry error codes and the HTTP status each is sent with, as the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes">OCI
 * distribution spec</a> lists them and CNCF distribution registers them, plus the few codes
 * distribution adds ({@code UNAVAILABLE}, {@code PAGINATION_NUMBER_INVALID}, {@code RANGE_INVALID})
 * and {@code NOT_FOUND} for paths outside the API.
 */
public enum OciErrorCode {
  BLOB_UNKNOWN(404, "blob unknown to registry"),
  BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
  BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
  DIGEST_INVALID(400, "provided digest did not match uploaded content"),
  MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
  MANIFEST_INVALID(400, "manifest invalid"),
  MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
  NAME_INVALID(400, "invalid repository name"),
  NAME_UNKNOWN(404, "repository name not known to registry"),
  SIZE_INVALID(400, "provided length did not match content length"),
  TAG_INVALID(400, "manifest tag did not match URI"),
  UNAUTHORIZED(401, "authentication required"),
  DENIED(403, "requested access to the resource is denied"),
  UNSUPPORTED(405, "the operation is unsupported"),
  TOOMANYREQUESTS(429, "too many requests"),
  PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
  RANGE_INVALID(416, "invalid content range"),
  NOT_FOUND(404, "no such API endpoint"),
  UNAVAILABLE(503, "service unavailable"),
  UNKNOWN(500, "unknown error");

  private final int status;
  private final String defaultMessage;

  OciErrorCode(int status, String defaultMessage) {
    this.status = status;
    this.defaultMessage = defaultMessage;
  }

  public int status() {
    return status;
  }

  public String defaultMessage() {
    return defaultMessage;
  }
}
