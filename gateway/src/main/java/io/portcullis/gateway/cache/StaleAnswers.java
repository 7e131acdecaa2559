package io.portcullis.gateway.cache;

import io.micrometer.core.instrument.Metrics;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers given from the cache because the upstream failed: logged, and counted as {@value
 * ManifestCache#STALE_METRIC} (tagged by upstream) in the gateway's registry and in Micrometer's
 * global one (seen by whatever registry is added to it).
 */
final class StaleAnswers {
  private static final Logger LOG = LoggerFactory.getLogger(StaleAnswers.class);

  private final GatewayMetrics metrics;

  StaleAnswers(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  /** The last known manifest of {@code tag}, marked stale. */
  Fetched manifest(UpstreamRoute route, String tag, Fetched f, String why) {
    report(route, route.upstreamName() + ":" + tag, f.digest().toString(), why);
    return f.withStale(true);
  }

  void report(UpstreamRoute route, String what, String served, String why) {
    String upstream = route.upstream().config().name();
    LOG.warn(
        "upstream {} failed for {} ({}); serving the cached {} as stale",
        upstream,
        what,
        why,
        served);
    Metrics.counter(ManifestCache.STALE_METRIC, "upstream", upstream).increment();
    metrics.registry().counter(ManifestCache.STALE_METRIC, "upstream", upstream).increment();
  }
}
