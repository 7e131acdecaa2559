package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.ManifestLimits;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Referrers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The {@link ArtifactSource} that asks the upstream every time: the one place a manifest is fetched
 * as a value, capped ({@link ManifestLimits#MAX_BYTES}: announced larger, the exchange is reset
 * unread) and checked against its digest (the one asked for, or the {@code Docker-Content-Digest}
 * the upstream claims for a tag). Stateless: the route names the upstream.
 */
public final class DirectArtifacts implements ArtifactSource {
  /** The one direct source. */
  public static final DirectArtifacts INSTANCE = new DirectArtifacts();

  private DirectArtifacts() {}

  @Override
  public Future<Optional<Fetched>> manifest(UpstreamRoute route, String reference, String accept) {
    return send(route, HttpMethod.GET, reference, accept)
        .compose(
            resp -> {
              if (resp.statusCode() == 404) {
                return resp.end().map(v -> Optional.<Fetched>empty());
              }
              if (resp.statusCode() != 200) {
                return failed(resp, route, OciErrorCode.MANIFEST_UNKNOWN);
              }
              if (contentLength(resp) > ManifestLimits.MAX_BYTES) {
                resp.request().reset();
                return Future.failedFuture(tooLarge());
              }
              return Bodies.collect(resp, ManifestLimits.MAX_BYTES)
                  .recover(
                      err ->
                          Future.failedFuture(
                              err instanceof OciException e && e.status() == 413
                                  ? tooLarge()
                                  : err))
                  .map(body -> Optional.of(checked(route, reference, resp, body.getBytes())));
            });
  }

  /** The manifest as fetched, if its digest is the one asked for (or claimed, for a tag). */
  private static Fetched checked(
      UpstreamRoute route, String reference, HttpClientResponse resp, byte[] bytes) {
    if (Digest.isDigest(reference)) {
      Digest wanted = Digest.parse(reference);
      Digest actual = Digest.of(wanted.algorithm(), bytes);
      if (!actual.equals(wanted)) {
        throw mismatch(route, reference, actual.toString());
      }
      return new Fetched(bytes, resp.getHeader("Content-Type"), actual);
    }
    Digest actual = Digest.sha256(bytes);
    String claimed = resp.getHeader("Docker-Content-Digest");
    if (claimed != null && claimed.startsWith("sha256:") && !claimed.equals(actual.toString())) {
      throw mismatch(route, claimed, actual.toString());
    }
    return new Fetched(bytes, resp.getHeader("Content-Type"), actual);
  }

  @Override
  public Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes) {
    return route
        .upstream()
        .send(
            UpstreamRequest.pull(
                HttpMethod.GET,
                route.path("blobs/" + digest),
                route.headers(),
                route.upstreamName()))
        .compose(
            resp -> {
              if (resp.statusCode() != 200) {
                return failed(resp, route, OciErrorCode.BLOB_UNKNOWN);
              }
              return Bodies.collect(resp, maxBytes)
                  .map(
                      body -> {
                        byte[] bytes = body.getBytes();
                        if (!Digest.of(digest.algorithm(), bytes).equals(digest)) {
                          throw OciException.withStatus(
                              OciErrorCode.DIGEST_INVALID,
                              502,
                              "upstream sent blob bytes that do not match " + digest);
                        }
                        return bytes;
                      });
            });
  }

  @Override
  public Future<Referrers> referrers(UpstreamRoute route, Digest subject, String artifactType) {
    MultiMap accept = route.headers().add("Accept", MediaTypes.OCI_INDEX);
    String query =
        artifactType == null
            ? ""
            : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8);
    return route
        .upstream()
        .send(
            UpstreamRequest.pull(
                HttpMethod.GET,
                route.path("referrers/" + subject) + query,
                accept,
                route.upstreamName()))
        .compose(
            resp -> {
              if (resp.statusCode() == 200) {
                boolean filtered = resp.getHeader("OCI-Filters-Applied") != null;
                return Bodies.collect(resp, ManifestLimits.MAX_BYTES)
                    .map(body -> new Referrers(index(body, route), filtered));
              }
              if (resp.statusCode() != 404) {
                return failed(resp, route, OciErrorCode.MANIFEST_UNKNOWN);
              }
              // No referrers API (CNCF distribution 2.8): the tag schema, through the route's
              // source, so that a cache keeps the tag like any other.
              return resp.end()
                  .compose(
                      v ->
                          route
                              .artifacts()
                              .manifest(route, subject.referrersTag(), MediaTypes.OCI_INDEX))
                  .map(
                      found ->
                          new Referrers(
                              found
                                  .map(f -> index(Buffer.buffer(f.bytes()), route))
                                  .orElse(ImageIndex.empty()),
                              false));
            });
  }

  @Override
  public Future<Head> head(UpstreamRoute route, String reference, String accept) {
    return send(route, HttpMethod.HEAD, reference, accept)
        .compose(
            resp ->
                resp.end()
                    .map(
                        v -> new Head(resp.statusCode(), resp.getHeader("Docker-Content-Digest"))));
  }

  /** A pull of the manifest at {@code reference}, asking for the types in {@code accept}. */
  private static Future<HttpClientResponse> send(
      UpstreamRoute route, HttpMethod method, String reference, String accept) {
    MultiMap headers = route.headers().add("Accept", accept);
    return route
        .upstream()
        .send(
            UpstreamRequest.pull(
                method, route.path("manifests/" + reference), headers, route.upstreamName()));
  }

  private static ImageIndex index(Buffer body, UpstreamRoute route) {
    try {
      return ManifestCodec.readIndex(body.getBytes());
    } catch (IllegalArgumentException e) {
      throw OciException.withStatus(
          OciErrorCode.UNAVAILABLE,
          502,
          "upstream '" + route.upstream().config().name() + "' sent an unreadable referrers index");
    }
  }

  /** The upstream's refusal or failure, its error JSON read (bounded) to tell the client. */
  private static <T> Future<T> failed(
      HttpClientResponse resp, UpstreamRoute route, OciErrorCode notFound) {
    return Bodies.collect(resp, UpstreamErrors.MAX_ERROR_BODY)
        .recover(err -> Future.succeededFuture(Buffer.buffer()))
        .transform(
            body ->
                Future.failedFuture(
                    UpstreamErrors.of(
                        resp.statusCode(),
                        resp.getHeader("Retry-After"),
                        body.result(),
                        notFound,
                        route)));
  }

  /** The manifest limit passed: 413, as for a manifest pushed too large. */
  public static OciException tooLarge() {
    return OciException.withStatus(
        OciErrorCode.MANIFEST_INVALID,
        413,
        "manifest exceeds the " + ManifestLimits.MAX_TEXT + " limit");
  }

  /** The upstream sent a manifest whose digest is not the one asked for (or that it claimed). */
  public static OciException mismatch(UpstreamRoute route, String expected, String actual) {
    return OciException.withStatus(
        OciErrorCode.MANIFEST_INVALID,
        502,
        "upstream '"
            + route.upstream().config().name()
            + "' sent a manifest whose digest "
            + actual
            + " does not match "
            + expected);
  }

  private static long contentLength(HttpClientResponse resp) {
    String header = resp.getHeader("Content-Length");
    try {
      return header == null ? -1 : Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      return -1; // the cap on what is read still holds
    }
  }
}
