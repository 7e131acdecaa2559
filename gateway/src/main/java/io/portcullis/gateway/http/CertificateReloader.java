package io.portcullis.gateway.http;

import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsConfig;
import io.portcullis.gateway.config.TlsFiles;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the client listeners' certificate, key and client CAs when their files change, without a
 * restart and without dropping a connection: cert-manager, a Kubernetes secret or an ACME client
 * renews the files in place, and the gateway serves the new certificate within {@code
 * server.tls.reloadInterval}.
 *
 * <p>The files are read every interval on a worker thread. Files whose bytes changed are checked as
 * at start-up ({@link TlsFiles}: parsable, valid now, the key belongs to the certificate); files
 * that fail are refused with one warning for that change, and the certificate in force stays, so a
 * half-written renewal (a new certificate beside the old key) never reaches a client. Accepted
 * files are handed to every listener as the exact bytes checked; connections already open keep
 * their session, new ones get the new certificate. Then the listeners are warmed up again ({@link
 * TlsWarmup}), since Vert.x builds the new TLS context on the next connection.
 *
 * <p>Metrics: {@code portcullis_tls_certificate_expiry_timestamp_seconds}, when the certificate in
 * force expires (alert well before it), and {@code portcullis_tls_reloads_total{outcome}}. Within
 * {@link #EXPIRY_WARNING} of that expiry, a warning is logged once a day as well.
 */
public final class CertificateReloader {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  /** How long before its expiry the certificate in force is warned of, once a day. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  private final Vertx vertx;
  private final ServerConfig server;
  private final TlsConfig tls;
  private final int port;
  private final Function<ServerSSLOptions, Future<?>> listeners;
  private final GatewayMetrics metrics;
  private final AtomicBoolean checking = new AtomicBoolean();
  private volatile TlsFiles.Material current;

  /** The {@link TlsFiles.Contents} last looked at, or the message of a look that failed. */
  private Object seen;

  private Instant lastExpiryWarning;

  /**
   * Watches {@code server.tls()}'s files for the listeners on {@code port}, which serve {@code
   * current} now; {@code listeners} hands new options to every one of them.
   */
  public CertificateReloader(
      Vertx vertx,
      ServerConfig server,
      int port,
      TlsFiles.Material current,
      Function<ServerSSLOptions, Future<?>> listeners,
      GatewayMetrics metrics) {
    this.vertx = vertx;
    this.server = server;
    this.tls = server.tls().orElseThrow();
    this.port = port;
    this.current = current;
    this.listeners = listeners;
    this.metrics = metrics;
    this.seen = current.files();
    metrics.tlsCertificateInForce(() -> this.current.leaf().getNotAfter().getTime() / 1000.0);
  }

  /** Checks every {@code reloadInterval}; returns the timer to cancel. */
  public long start() {
    return vertx.setPeriodic(tls.reloadInterval().toMillis(), id -> check());
  }

  /** The certificate files served now. */
  public TlsFiles.Material current() {
    return current;
  }

  /**
   * One look at the files (one at a time: a slow file system must not pile looks up); completes
   * with whether the listeners took new files.
   */
  public Future<Boolean> check() {
    if (!checking.compareAndSet(false, true)) {
      return Future.succeededFuture(false);
    }
    return vertx
        .executeBlocking(this::changed, false)
        .compose(next -> next.isPresent() ? apply(next.get()) : Future.succeededFuture(false))
        .onComplete(
            ar -> {
              warnOfExpiry(Instant.now());
              checking.set(false);
            });
  }

  /** On a worker: the checked files, when their bytes changed since the last look and pass. */
  private Optional<TlsFiles.Material> changed() {
    TlsFiles.Contents files;
    try {
      files = TlsFiles.load(tls);
    } catch (ConfigException unreadable) {
      // a file missing or unreadable: the same message on the next look is the same state
      return refuse(unreadable.getMessage(), unreadable);
    }
    if (files.equals(seen)) {
      return Optional.empty();
    }
    try {
      TlsFiles.Material next = TlsFiles.check(tls, files, Instant.now());
      seen = files;
      return next.files().equals(current.files()) ? Optional.empty() : Optional.of(next);
    } catch (ConfigException invalid) {
      return refuse(files, invalid);
    }
  }

  /** Refuses {@code look} with one warning: the same look again is no news. */
  private Optional<TlsFiles.Material> refuse(Object look, ConfigException why) {
    if (look.equals(seen)) {
      return Optional.empty();
    }
    seen = look;
    metrics.tlsReload("refused");
    LOG.warn(
        "server.tls: the files changed but are refused, so the certificate for {} (valid until"
            + " {}) stays in force: {}",
        current.leaf().getSubjectX500Principal(),
        current.leaf().getNotAfter().toInstant(),
        why.getMessage());
    return Optional.empty();
  }

  private Future<Boolean> apply(TlsFiles.Material next) {
    return listeners
        .apply(ListenerOptions.ssl(server, next))
        .map(
            done -> {
              TlsFiles.Material before = current;
              current = next;
              metrics.tlsReload("loaded");
              LOG.info(
                  "server.tls: now serving the certificate for {} (serial {}, valid until {});"
                      + " it replaces serial {}",
                  next.leaf().getSubjectX500Principal(),
                  next.leaf().getSerialNumber().toString(16),
                  next.leaf().getNotAfter().toInstant(),
                  before.leaf().getSerialNumber().toString(16));
              return true;
            })
        .recover(
            err -> {
              metrics.tlsReload("refused");
              LOG.error(
                  "server.tls: the listeners did not take the changed files; the certificate for"
                      + " {} stays in force: {}",
                  current.leaf().getSubjectX500Principal(),
                  err.toString());
              return Future.succeededFuture(false);
            })
        .compose(
            loaded ->
                loaded
                    ? TlsWarmup.run(vertx, server, port, 1)
                        .map(true)
                        .otherwise(
                            err -> {
                              LOG.warn(
                                  "TLS warm-up after the reload failed, so the next handshakes"
                                      + " may be slow: {}",
                                  err.toString());
                              return true;
                            })
                    : Future.succeededFuture(false));
  }

  /**
   * Once a day while the certificate in force has less than {@link #EXPIRY_WARNING} left (or has
   * expired: clients then refuse it), a warning that says so, for a deployment that does not alert
   * on the metric.
   */
  private void warnOfExpiry(Instant now) {
    Instant notAfter = current.leaf().getNotAfter().toInstant();
    if (now.plus(EXPIRY_WARNING).isBefore(notAfter)
        || (lastExpiryWarning != null
            && now.isBefore(lastExpiryWarning.plus(Duration.ofDays(1))))) {
      return;
    }
    lastExpiryWarning = now;
    LOG.warn(
        "server.tls: the certificate for {} {} at {}; renew {} and {}",
        current.leaf().getSubjectX500Principal(),
        notAfter.isBefore(now) ? "expired" : "expires",
        notAfter,
        tls.certFile(),
        tls.keyFile());
  }
}
