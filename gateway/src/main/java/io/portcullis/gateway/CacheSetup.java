package io.portcullis.gateway;

import io.portcullis.gateway.cache.BlobStore;
import io.portcullis.gateway.cache.Caches;
import io.portcullis.gateway.cache.ManifestCache;
import io.portcullis.gateway.config.CacheConfig;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/** Opens the configured caches before the gateway listens. */
final class CacheSetup {
  private CacheSetup() {}

  static Future<Caches> open(
      Vertx vertx, CacheConfig config, List<Upstream> upstreams, GatewayMetrics metrics) {
    if (!config.enabled()) {
      return Future.succeededFuture(Caches.NONE);
    }
    return BlobStore.open(vertx, config.dir(), config.maxSize(), metrics)
        .compose(
            blobs ->
                ManifestCache.open(vertx, config.dir().resolve("manifests"), metrics, blobs)
                    .map(
                        manifests -> {
                          upstreams.forEach(u -> u.useManifestCache(manifests));
                          return new Caches(blobs, manifests);
                        }))
        .recover(
            err ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot open cache " + config.dir() + ": " + err.getMessage(), err)));
  }
}
