package io.portcullis.gateway;

import io.portcullis.gateway.cache.BlobStore;
import io.portcullis.gateway.cache.Caches;
import io.portcullis.gateway.cache.ManifestCache;
import io.portcullis.gateway.config.CacheConfig;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.DirectArtifacts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Opens the configured caches before the gateway listens. The manifest cache wraps the direct
 * upstream source; whichever is in use is handed to the router, and so to every route.
 */
final class CacheSetup {
  private CacheSetup() {}

  static Future<Caches> open(Vertx vertx, CacheConfig config, GatewayMetrics metrics) {
    if (!config.enabled()) {
      return Future.succeededFuture(Caches.NONE);
    }
    return BlobStore.open(vertx, config.dir(), config.maxSize(), config.directWrites(), metrics)
        .compose(
            blobs ->
                ManifestCache.open(
                        vertx,
                        config.dir().resolve("manifests"),
                        config.manifestMaxSize(),
                        metrics,
                        blobs,
                        DirectArtifacts.INSTANCE)
                    .map(manifests -> new Caches(blobs, manifests)))
        .recover(
            err ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot open cache " + config.dir() + ": " + err.getMessage(), err)));
  }
}
