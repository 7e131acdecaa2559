package io.portcullis.gateway.http;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.ArtifactSource;
import io.portcullis.gateway.upstream.DirectArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamRequest;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's side of the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema">referrers
 * tag schema</a>. The gateway answers the referrers API for every upstream, so it acts as a
 * registry that supports it: a manifest pushed with a {@code subject} to an upstream without the
 * API (its 201 carries no {@code OCI-Subject}) is added to the OCI index at the subject's {@code
 * sha256-<hex>} tag, as the spec asks of clients; a referrer deleted through the gateway is removed
 * from it. Each update is a read-modify-write of that tag, one at a time per subject in this
 * process; replicas updating the same subject at once can lose an entry (distribution 2.8 has no
 * conditional PUT), which the spec leaves to clients too.
 */
final class ReferrersTagIndex {
  private static final Logger LOG = LoggerFactory.getLogger(ReferrersTagIndex.class);
  private final Map<String, Future<?>> inFlight = new ConcurrentHashMap<>();

  /** A manifest that names a subject, and its descriptor in the subject's referrers list. */
  record Referrer(Digest subject, Descriptor descriptor) {

    /**
     * The referrer a manifest makes, or empty when it has no (valid) subject. The descriptor's
     * {@code artifactType} is the manifest's, or its config's media type, as the spec's listing
     * says; its annotations are the manifest's.
     */
    static Optional<Referrer> of(byte[] bytes, String mediaType, Digest digest) {
      try {
        String type = mediaType != null ? mediaType : ManifestCodec.mediaTypeOf(bytes);
        Descriptor subject;
        String artifactType;
        Map<String, String> annotations;
        if (MediaTypes.OCI_INDEX.equals(type)) {
          ImageIndex index = ManifestCodec.readIndex(bytes);
          subject = index.subject();
          artifactType = index.artifactType();
          annotations = index.annotations();
        } else {
          ImageManifest manifest = ManifestCodec.readManifest(bytes);
          subject = manifest.subject();
          artifactType = manifest.artifactType();
          if (artifactType == null && manifest.config() != null) {
            artifactType = manifest.config().mediaType();
          }
          annotations = manifest.annotations();
        }
        if (subject == null || subject.digest() == null) {
          return Optional.empty();
        }
        Descriptor d =
            new Descriptor(
                type, digest.toString(), bytes.length, null, annotations, artifactType, null);
        return Optional.of(new Referrer(subject.parsedDigest(), d));
      } catch (IllegalArgumentException notAReferrer) {
        return Optional.empty();
      }
    }
  }

  /**
   * Adds {@code referrer} to its subject's referrers tag; true when it is listed there now. A
   * failure is logged and answers false: the client then sees no {@code OCI-Subject} and, as the
   * spec asks, maintains the tag itself. The tag's new index goes into {@code cache} (may be null).
   */
  Future<Boolean> add(UpstreamRoute route, ArtifactSource cache, Referrer referrer) {
    String digest = referrer.descriptor().digest();
    return update(
        route,
        cache,
        referrer.subject(),
        list -> {
          if (list.stream().anyMatch(d -> digest.equals(d.digest()))) {
            return null;
          }
          List<Descriptor> more = new ArrayList<>(list);
          more.add(referrer.descriptor());
          return more;
        });
  }

  /** Removes {@code referrer} from its subject's referrers tag, if listed there. */
  Future<Boolean> remove(UpstreamRoute route, ArtifactSource cache, Referrer referrer) {
    String digest = referrer.descriptor().digest();
    return update(
        route,
        cache,
        referrer.subject(),
        list ->
            list.stream().anyMatch(d -> digest.equals(d.digest()))
                ? list.stream().filter(d -> !digest.equals(d.digest())).toList()
                : null);
  }

  /** {@code change} returns the new list, or null when the tag needs no update. */
  private Future<Boolean> update(
      UpstreamRoute route,
      ArtifactSource cache,
      Digest subject,
      UnaryOperator<List<Descriptor>> change) {
    String key =
        route.upstream().config().name() + "|" + route.upstreamRepository() + "|" + subject;
    return serially(key, () -> readModifyWrite(route, cache, subject, change))
        .recover(
            err -> {
              LOG.warn(
                  "referrers tag {} in {} not updated: {}",
                  subject.referrersTag(),
                  route.upstreamRepository(),
                  err.getMessage());
              return Future.succeededFuture(false);
            });
  }

  private Future<Boolean> readModifyWrite(
      UpstreamRoute route,
      ArtifactSource cache,
      Digest subject,
      UnaryOperator<List<Descriptor>> change) {
    String tag = subject.referrersTag();
    return DirectArtifacts.INSTANCE
        .manifest(route, tag, MediaTypes.OCI_INDEX)
        .compose(
            current -> {
              ImageIndex index = current.map(f -> index(f, tag)).orElse(ImageIndex.empty());
              List<Descriptor> changed = change.apply(index.manifests());
              if (changed == null) {
                return Future.succeededFuture(true);
              }
              ImageIndex next =
                  new ImageIndex(2, MediaTypes.OCI_INDEX, null, changed, null, index.annotations());
              return put(route, cache, tag, ManifestCodec.write(next)).map(true);
            });
  }

  /** The index at the tag; anything else there is not overwritten. */
  private static ImageIndex index(Fetched f, String tag) {
    try {
      if (MediaTypes.OCI_INDEX.equals(f.mediaType())
          || MediaTypes.OCI_INDEX.equals(ManifestCodec.mediaTypeOf(f.bytes()))) {
        return ManifestCodec.readIndex(f.bytes());
      }
    } catch (IllegalArgumentException unreadable) {
      // refused below
    }
    throw OciException.of(
        OciErrorCode.MANIFEST_INVALID, "tag " + tag + " holds something other than an OCI index");
  }

  private static Future<Void> put(
      UpstreamRoute route, ArtifactSource cache, String tag, byte[] bytes) {
    var headers =
        route
            .headers()
            .add("Content-Type", MediaTypes.OCI_INDEX)
            .add("Content-Length", Integer.toString(bytes.length));
    UpstreamRequest up =
        new UpstreamRequest(
            HttpMethod.PUT,
            route.path("manifests/" + tag),
            headers,
            List.of(UpstreamRequest.scope(route.upstreamName(), "pull,push")),
            new UpstreamRequest.Bytes(Buffer.buffer(bytes)));
    return route
        .upstream()
        .send(up)
        .compose(
            resp ->
                resp.end()
                    .compose(
                        v -> {
                          if (resp.statusCode() != 201) {
                            return Future.failedFuture(
                                "upstream answered HTTP " + resp.statusCode() + " to its PUT");
                          }
                          if (cache != null) {
                            cache.pushed(
                                route,
                                tag,
                                new Fetched(bytes, MediaTypes.OCI_INDEX, Digest.sha256(bytes)));
                          }
                          return Future.<Void>succeededFuture();
                        }));
  }

  /**
   * Runs {@code op} after the previous operation on {@code key} has finished, on the caller's
   * context: the previous one may have been a request on another event loop, whose completion would
   * otherwise run this one (its upstream requests and its client's answer) on that loop.
   */
  <T> Future<T> serially(String key, Supplier<Future<T>> op) {
    Context caller = Vertx.currentContext();
    Promise<Void> done = Promise.promise();
    Future<?> previous = inFlight.put(key, done.future());
    Future<Void> turn =
        previous == null
            ? Future.succeededFuture()
            : onCaller(previous.transform(ar -> Future.succeededFuture()), caller);
    Future<T> result = turn.compose(v -> op.get());
    result.onComplete(
        ar -> {
          inFlight.remove(key, done.future());
          done.complete();
        });
    return result;
  }

  /**
   * {@code f}, its listeners run on {@code context} (when there is one: a caller off the event
   * loops has none). A future bound to the context, not a plain promise completed there: a listener
   * added from another thread after it completed would run on that thread.
   */
  private static <T> Future<T> onCaller(Future<T> f, Context context) {
    return context == null ? f : Future.fromCompletionStage(f.toCompletionStage(), context);
  }
}
