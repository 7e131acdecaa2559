package io.portcullis.testkit;

/**
 * One request a {@link RegistryProcess} answered, as its access log recorded it.
 *
 * @param method the HTTP method
 * @param uri the request target: path plus query, as sent
 * @param status the HTTP status of the response
 */
public record RegistryRequest(String method, String uri, int status) {
  /** The request path without its query string. */
  public String path() {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  /** True for a blob download: {@code GET /v2/<name>/blobs/<digest>}. */
  public boolean isBlobGet() {
    return method.equals("GET") && path().matches("/v2/.+/blobs/[a-z0-9]+:[a-f0-9]+");
  }
}
