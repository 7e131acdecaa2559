package io.portcullis.gateway.upstream;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Small documents fetched from an upstream as values rather than relayed: manifests by tag or
 * digest (exact bytes, digest checked), small blobs (signatures, envelopes), and referrers with the
 * tag-schema fallback. Anything other than found or not-found is an {@link OciException} the caller
 * can present as "could not verify".
 */
public final class UpstreamArtifacts {
  public static final int MAX_MANIFEST = 4 * 1024 * 1024;

  private UpstreamArtifacts() {}

  /**
   * A manifest as the upstream sent it; {@code stale} when it comes from the cache because the
   * upstream could not be asked.
   */
  public record Fetched(byte[] bytes, String mediaType, Digest digest, boolean stale) {
    public Fetched(byte[] bytes, String mediaType, Digest digest) {
      this(bytes, mediaType, digest, false);
    }
  }

  /**
   * The manifest at {@code reference} (a tag or digest), or empty when the upstream has none;
   * through the upstream's manifest cache when it has one.
   */
  public static Future<Optional<Fetched>> manifest(
      UpstreamRoute route, String reference, String accept) {
    ManifestLookaside cache = route.upstream().manifestCache();
    return cache == null
        ? fetchManifest(route, reference, accept)
        : cache.manifest(route, reference, accept);
  }

  /** As {@link #manifest}, always from the upstream. */
  public static Future<Optional<Fetched>> fetchManifest(
      UpstreamRoute route, String reference, String accept) {
    MultiMap headers = route.headers().add("Accept", accept);
    return route
        .upstream()
        .send(
            UpstreamRequest.pull(
                HttpMethod.GET,
                route.path("manifests/" + reference),
                headers,
                route.upstreamName()))
        .compose(
            resp -> {
              if (resp.statusCode() == 404) {
                return resp.end().map(v -> Optional.<Fetched>empty());
              }
              if (resp.statusCode() != 200) {
                return failed(resp, route, "manifest " + reference);
              }
              String type = resp.getHeader("Content-Type");
              return Bodies.collect(resp, MAX_MANIFEST)
                  .map(
                      body -> {
                        byte[] bytes = body.getBytes();
                        Digest digest =
                            Digest.isDigest(reference)
                                ? Digest.of(Digest.parse(reference).algorithm(), bytes)
                                : Digest.sha256(bytes);
                        if (Digest.isDigest(reference) && !digest.toString().equals(reference)) {
                          throw OciException.withStatus(
                              OciErrorCode.MANIFEST_INVALID,
                              502,
                              "upstream '"
                                  + route.upstream().config().name()
                                  + "' sent a manifest whose digest "
                                  + digest
                                  + " does not match "
                                  + reference);
                        }
                        return Optional.of(new Fetched(bytes, type, digest));
                      });
            });
  }

  /** Every manifest type, for callers that take whatever the upstream has. */
  public static String anyManifest() {
    return String.join(", ", MediaTypes.MANIFEST_TYPES);
  }

  /** A small blob, checked against its digest; through the upstream's cache when it has one. */
  public static Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes) {
    ManifestLookaside cache = route.upstream().manifestCache();
    return cache == null ? fetchBlob(route, digest, maxBytes) : cache.blob(route, digest, maxBytes);
  }

  /** As {@link #blob}, always from the upstream. */
  public static Future<byte[]> fetchBlob(UpstreamRoute route, Digest digest, int maxBytes) {
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
                return failed(resp, route, "blob " + digest);
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

  /** What the referrers lookup found, and whether the upstream already applied the filter. */
  public record Referrers(ImageIndex index, boolean filtered) {}

  /**
   * The referrers of {@code subject}: the upstream's referrers API, or, where it has none (CNCF
   * distribution 2.8 answers 404), the {@code sha256-<hex>} referrers tag; an empty index when
   * neither has anything. {@code artifactType} may be null.
   */
  public static Future<Referrers> referrers(
      UpstreamRoute route, Digest subject, String artifactType) {
    ManifestLookaside cache = route.upstream().manifestCache();
    return cache == null
        ? fetchReferrers(route, subject, artifactType)
        : cache.referrers(route, subject, artifactType);
  }

  /** As {@link #referrers}, always from the upstream (its tag fallback may come from the cache). */
  public static Future<Referrers> fetchReferrers(
      UpstreamRoute route, Digest subject, String artifactType) {
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
                return Bodies.collect(resp, MAX_MANIFEST)
                    .map(body -> new Referrers(index(body, route), filtered));
              }
              if (resp.statusCode() != 404) {
                return failed(resp, route, "referrers of " + subject);
              }
              return resp.end()
                  .compose(v -> manifest(route, subject.referrersTag(), MediaTypes.OCI_INDEX))
                  .map(
                      found ->
                          new Referrers(
                              found
                                  .map(f -> index(Buffer.buffer(f.bytes()), route))
                                  .orElse(ImageIndex.empty()),
                              false));
            });
  }

  /** Keeps the descriptors of one artifact type. */
  public static ImageIndex filter(ImageIndex index, String artifactType) {
    List<Descriptor> kept =
        index.manifests().stream().filter(d -> artifactType.equals(d.artifactType())).toList();
    return new ImageIndex(2, MediaTypes.OCI_INDEX, null, kept, null, index.annotations());
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

  private static <T> Future<T> failed(HttpClientResponse resp, UpstreamRoute route, String what) {
    int status = resp.statusCode();
    return resp.end()
        .transform(
            v ->
                Future.failedFuture(
                    OciException.withStatus(
                        OciErrorCode.UNAVAILABLE,
                        status == 401 || status == 403 ? 403 : 503,
                        "upstream '"
                            + route.upstream().config().name()
                            + "' answered HTTP "
                            + status
                            + " for "
                            + what)));
  }
}
