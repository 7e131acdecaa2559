package io.portcullis.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * The gateway's meters, named once here so every part records into the same series. Other parts
 * (the pull-through cache, for one) call the methods below or register their own meters on {@link
 * #registry()}. Tags hold only bounded values (route kinds, status codes, upstream and policy
 * names), never repository names or digests, so the series count stays small.
 *
 * <p>Exposed in the Prometheus text format on the admin listener's {@code /metrics}; see <a
 * href="https://prometheus.io/docs/instrumenting/exposition_formats/">exposition formats</a>.
 */
public final class GatewayMetrics {
  private final MeterRegistry registry;
  private final Optional<PrometheusMeterRegistry> prometheus;

  private GatewayMetrics(MeterRegistry registry, Optional<PrometheusMeterRegistry> prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
  }

  /** Meters scraped in the Prometheus format, with the JVM's memory, thread and CPU meters. */
  public static GatewayMetrics prometheus() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    return new GatewayMetrics(registry, Optional.of(registry));
  }

  /** Meters kept in memory only: for code built without an admin listener, and for tests. */
  public static GatewayMetrics inMemory() {
    return new GatewayMetrics(new SimpleMeterRegistry(), Optional.empty());
  }

  /** The registry, for meters beyond the ones below. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter, or empty when not built for Prometheus. */
  public Optional<String> scrape() {
    return prometheus.map(PrometheusMeterRegistry::scrape);
  }

  /**
   * One client request answered: {@code route} is the kind of resource ({@code manifest}, {@code
   * blob}, ...), {@code status} the HTTP status sent, or 0 when the connection broke first.
   */
  public void request(String route, String method, int status, Duration took) {
    Timer.builder("portcullis.http.server.requests")
        .description("Client requests by route kind, method and status")
        .tag("route", route)
        .tag("method", method)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record(took);
  }

  /**
   * One client request taken on the event loop named {@code loop} (its thread's name): with one
   * client listener per loop, these counters show whether every loop carries work.
   */
  public void eventLoopRequest(String loop) {
    // Once per request on the loop itself: the counter is looked up by name, not rebuilt.
    loopRequests
        .computeIfAbsent(
            loop,
            l ->
                Counter.builder("portcullis.eventloop.requests")
                    .description("Client requests by the event loop that took them")
                    .tag("loop", l)
                    .register(registry))
        .increment();
  }

  private final java.util.Map<String, Counter> loopRequests =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * One upstream exchange until its response headers arrived ({@code status} 0: no response, the
   * upstream was unreachable or timed out).
   */
  public void upstream(String upstream, int status, Duration took) {
    Timer.builder("portcullis.upstream.requests")
        .description("Upstream registry exchanges until response headers, by upstream and status")
        .tag("upstream", upstream)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record(took);
  }

  /**
   * One trust-policy decision recorded ({@code outcome}: the wire name of an audit outcome, {@code
   * AuditOutcome.wireName()} of the enforce package).
   */
  public void decision(String policy, String outcome) {
    Counter.builder("portcullis.policy.decisions")
        .description("Trust-policy decisions by policy and outcome")
        .tag("policy", policy)
        .tag("outcome", outcome.toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  /** A cache lookup that found its entry ({@code kind}: manifest or blob). */
  public void cacheHit(String kind) {
    cacheCounter("portcullis.cache.hits", "Cache lookups that found their entry", kind).increment();
  }

  /** A cache lookup that had to go upstream. */
  public void cacheMiss(String kind) {
    cacheCounter("portcullis.cache.misses", "Cache lookups that went upstream", kind).increment();
  }

  /** Bytes served to clients out of the cache. */
  public void cacheBytesServed(String kind, long bytes) {
    cacheCounter("portcullis.cache.served", "Bytes served from the cache", kind, "bytes")
        .increment(bytes);
  }

  /** Bytes written into the cache. */
  public void cacheBytesStored(String kind, long bytes) {
    cacheCounter("portcullis.cache.stored", "Bytes written into the cache", kind, "bytes")
        .increment(bytes);
  }

  /**
   * Bytes a follower of a cold fill sent its client, {@code from} memory (near the head of the
   * fill) or the fill's temp file (a follower that fell behind): many from the file mean clients
   * slower than the upstream, or a gateway short of CPU.
   */
  public void fillBytesFollowed(String from, long bytes) {
    Counter.builder("portcullis.cache.fill.followed")
        .description("Bytes followers of cold fills sent, from memory or from the temp file")
        .baseUnit("bytes")
        .tag("from", from)
        .register(registry)
        .increment(bytes);
  }

  /**
   * Bytes of blobs stored with direct I/O read back into the page cache after their fill, so the
   * hits that follow are served from memory.
   */
  public void cacheBytesPagedIn(long bytes) {
    cacheCounter(
            "portcullis.cache.paged.in",
            "Bytes of stored blobs read into the page cache",
            "blob",
            "bytes")
        .increment(bytes);
  }

  /**
   * When the client listener's certificate in force expires, in seconds since the epoch, read from
   * {@code notAfter} at each scrape.
   */
  public void tlsCertificateInForce(DoubleSupplier notAfter) {
    Gauge.builder(
            "portcullis.tls.certificate.expiry.timestamp", notAfter, DoubleSupplier::getAsDouble)
        .description("When the client listener's TLS certificate in force expires (Unix time)")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
  }

  /**
   * A change of the client listener's TLS files: {@code loaded} (now served) or {@code refused}
   * (the certificate in force stays).
   */
  public void tlsReload(String outcome) {
    Counter.builder("portcullis.tls.reloads")
        .description("Changes of the TLS certificate files, loaded or refused")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  private Counter cacheCounter(String name, String description, String kind) {
    return Counter.builder(name).description(description).tag("kind", kind).register(registry);
  }

  private Counter cacheCounter(String name, String description, String kind, String unit) {
    return Counter.builder(name)
        .description(description)
        .baseUnit(unit)
        .tag("kind", kind)
        .register(registry);
  }
}
