package io.portcullis.gateway.http;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.http.HttpMethod;

/**
 * A parsed request path of the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#endpoints">OCI
 * distribution endpoints</a>. Repository names contain slashes, so the path is split at its last
 * API keyword rather than matched by a router pattern. The raw path is parsed (never a normalised
 * one), so {@code ..}, {@code %2f} and empty segments are refused as invalid names.
 */
public sealed interface OciRoute {

  /** {@code /v2/} itself. */
  record Base() implements OciRoute {}

  record Manifest(RepositoryName name, Reference reference) implements OciRoute {}

  record Blob(RepositoryName name, Digest digest) implements OciRoute {}

  /** {@code /v2/<name>/blobs/uploads/} (start an upload). */
  record UploadStart(RepositoryName name) implements OciRoute {}

  /** {@code /v2/<name>/blobs/uploads/<id>}. */
  record Upload(RepositoryName name, String uploadId) implements OciRoute {}

  record TagList(RepositoryName name) implements OciRoute {}

  record Referrers(RepositoryName name, Digest digest) implements OciRoute {}

  /** Parses a raw request path; throws {@link OciException} with the code a client should see. */
  static OciRoute parse(String rawPath) {
    return parse(rawPath, null);
  }

  /**
   * As {@link #parse(String)}, for a request with {@code method}: a GET or HEAD of a manifest by a
   * malformed tag is 404 {@code MANIFEST_UNKNOWN} (no manifest can have that tag; the conformance
   * suite requires it), while a PUT by one stays 400 {@code TAG_INVALID}.
   */
  static OciRoute parse(String rawPath, HttpMethod method) {
    if (rawPath == null || !rawPath.startsWith("/v2/")) {
      throw notFound(rawPath);
    }
    String rest = rawPath.substring(4);
    if (rest.isEmpty()) {
      return new Base();
    }
    if (rest.endsWith("/tags/list")) {
      return new TagList(name(rest.substring(0, rest.length() - "/tags/list".length())));
    }
    for (String suffix : new String[] {"/blobs/uploads/", "/blobs/uploads"}) {
      if (rest.endsWith(suffix)) {
        return new UploadStart(name(rest.substring(0, rest.length() - suffix.length())));
      }
    }
    int slash = rest.lastIndexOf('/');
    if (slash <= 0) {
      throw notFound(rawPath);
    }
    String last = rest.substring(slash + 1);
    String head = rest.substring(0, slash);
    int kindSlash = head.lastIndexOf('/');
    if (kindSlash <= 0) {
      throw notFound(rawPath);
    }
    String kind = head.substring(kindSlash + 1);
    String namePart = head.substring(0, kindSlash);
    return switch (kind) {
      case "manifests" ->
          new Manifest(
              name(namePart),
              reference(last, method == HttpMethod.GET || method == HttpMethod.HEAD));
      case "blobs" -> new Blob(name(namePart), digest(last));
      case "referrers" -> new Referrers(name(namePart), digest(last));
      case "uploads" -> upload(namePart, last, rawPath);
      default -> throw notFound(rawPath);
    };
  }

  private static OciRoute upload(String namePart, String id, String rawPath) {
    if (!namePart.endsWith("/blobs")) {
      throw notFound(rawPath);
    }
    RepositoryName name = name(namePart.substring(0, namePart.length() - "/blobs".length()));
    if (!UploadIds.looksValid(id)) {
      throw OciException.of(
          OciErrorCode.BLOB_UPLOAD_UNKNOWN, "upload id is malformed or not issued by this gateway");
    }
    return new Upload(name, id);
  }

  private static RepositoryName name(String value) {
    try {
      return RepositoryName.of(value);
    } catch (InvalidReferenceException e) {
      throw OciException.of(OciErrorCode.NAME_INVALID, e.getMessage());
    }
  }

  private static Reference reference(String value, boolean lookup) {
    try {
      return Reference.parse(value);
    } catch (InvalidReferenceException e) {
      if (value.indexOf(':') >= 0) {
        throw OciException.of(OciErrorCode.DIGEST_INVALID, e.getMessage());
      }
      if (lookup) {
        throw OciException.of(
            OciErrorCode.MANIFEST_UNKNOWN, "no manifest has this tag: " + e.getMessage());
      }
      throw OciException.of(OciErrorCode.TAG_INVALID, e.getMessage());
    }
  }

  static Digest digest(String value) {
    try {
      return Digest.parse(value);
    } catch (InvalidReferenceException e) {
      throw OciException.of(OciErrorCode.DIGEST_INVALID, e.getMessage());
    }
  }

  private static OciException notFound(String path) {
    return OciException.of(
        OciErrorCode.NOT_FOUND, "no such endpoint; the registry API lives under /v2/");
  }
}
