package io.portcullis.gateway;

import io.portcullis.gateway.admin.AdminServer;
import io.portcullis.gateway.auth.AuthProviders;
import io.portcullis.gateway.auth.AuthServices;
import io.portcullis.gateway.cache.Caches;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.RobotsConfig;
import io.portcullis.gateway.config.ServerConfig;
import io.portcullis.gateway.config.TlsFiles;
import io.portcullis.gateway.http.CertificateReloader;
import io.portcullis.gateway.http.ConnectionDeadlines;
import io.portcullis.gateway.http.RegistryApi;
import io.portcullis.gateway.http.RequestObserver;
import io.portcullis.gateway.http.TlsWarmup;
import io.portcullis.gateway.http.UploadIds;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.state.FleetAuthProviders;
import io.portcullis.gateway.state.PostgresState;
import io.portcullis.gateway.state.SharedRobotStore;
import io.portcullis.gateway.state.StateUnavailableException;
import io.portcullis.gateway.upstream.Upstream;
import io.portcullis.gateway.upstream.UpstreamRouter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running gateway: the HTTP listeners, its upstreams and what they share. */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  /** How often changed credential files are picked up. */
  static final Duration REFRESH_INTERVAL = Duration.ofSeconds(1);

  /**
   * How often a replica refreshes its row in the shared state; it counts as live for three of these
   * (quota shares follow the live count).
   */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

  /**
   * How long a starting replica waits for its shared state to answer before it gives up: a fleet
   * started together (or with its database) on a busy host meets a database still starting, first
   * connections of cold JVMs and the other replicas' migration lock, each past one call's 5 s
   * deadline (two replicas failed to start at load average 20 in FleetOutageIT).
   */
  static final Duration STATE_START_WINDOW = Duration.ofSeconds(60);

  private static final Duration FIRST_STATE_RETRY = Duration.ofMillis(500);
  private static final Duration MAX_STATE_RETRY = Duration.ofSeconds(5);

  /**
   * Rounds of a TLS 1.3 and a TLS 1.2 handshake with each listener before readiness. One took the
   * first client handshake after a start from 0.56 s to 0.04 s on an idle 2-core machine; three
   * gained little more for another 0.5 s of start-up.
   */
  private static final int TLS_WARMUP_ROUNDS = 1;

  private final Vertx vertx;
  private final ClientListeners server;
  private final List<Upstream> upstreams;
  private final Enforcement enforcement;
  private final GatewayMetrics metrics;
  private final Optional<AdminServer> admin;
  private final AtomicBoolean ready;
  private final List<Long> timers;
  private final Caches caches;
  private final Optional<PostgresState> state;
  private final Optional<CertificateReloader> tlsReloader;

  private Gateway(
      Vertx vertx,
      ClientListeners server,
      List<Upstream> upstreams,
      Enforcement enforcement,
      GatewayMetrics metrics,
      Optional<AdminServer> admin,
      AtomicBoolean ready,
      List<Long> timers,
      Caches caches,
      Optional<PostgresState> state,
      Optional<CertificateReloader> tlsReloader) {
    this.vertx = vertx;
    this.server = server;
    this.upstreams = upstreams;
    this.enforcement = enforcement;
    this.metrics = metrics;
    this.admin = admin;
    this.ready = ready;
    this.caches = caches;
    this.state = state;
    this.tlsReloader = tlsReloader;
    List<Long> all = new ArrayList<>(timers);
    tlsReloader.ifPresent(r -> all.add(r.start()));
    this.timers = List.copyOf(all);
  }

  /** The TLS files the client listeners serve now, when they serve TLS. */
  public Optional<TlsFiles.Material> tlsInForce() {
    return tlsReloader.map(CertificateReloader::current);
  }

  /**
   * Reads {@code server.tls}'s files on a worker and checks them again (they were checked when the
   * configuration was loaded, and may have changed since): the listeners serve exactly these bytes.
   */
  private static Future<Optional<TlsFiles.Material>> tlsFiles(Vertx vertx, ServerConfig server) {
    if (server.tls().isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return vertx.executeBlocking(
        () -> Optional.of(TlsFiles.read(server.tls().get(), Instant.now())), false);
  }

  /** The transport the event loops use, for the start-up line. */
  private static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "native transport";
    }
    Throwable why = vertx.unavailableNativeTransportCause();
    return "NIO transport"
        + (why == null ? "" : " (no native transport: " + why.getMessage() + ")");
  }

  /**
   * Starts a gateway on {@code vertx}; blocking set-up (key files) happens before it listens. With
   * {@code state}, the shared state in PostgreSQL is opened (and its schema migrated) first: a
   * replica that cannot reach it does not start, since it would otherwise keep pins, robots and
   * lockouts of its own while the operator believes them shared.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return start(vertx, config, STATE_START_WINDOW);
  }

  /** As {@link #start(Vertx, GatewayConfig)}, waiting up to {@code stateWindow} for the state. */
  static Future<Gateway> start(Vertx vertx, GatewayConfig config, Duration stateWindow) {
    if (config.state().isEmpty()) {
      byte[] key;
      try {
        key = uploadKey(config.dataDir());
      } catch (IOException e) {
        return Future.failedFuture(
            new IllegalStateException(
                "cannot prepare dataDir " + config.dataDir() + ": " + e.getMessage(), e));
      }
      return start(vertx, config, Optional.empty(), key, AuthProviders.standard(vertx));
    }
    return openState(vertx, config, System.nanoTime() + stateWindow.toNanos(), FIRST_STATE_RETRY)
        .recover(
            err ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot open the shared state: " + err.getMessage(), err)))
        .compose(
            opened ->
                // the rest of the set-up reads files: off the event loop
                vertx
                    .executeBlocking(
                        () ->
                            start(
                                vertx,
                                config,
                                Optional.of(opened.state()),
                                opened.uploadKey(),
                                opened.providers()),
                        false)
                    .compose(started -> started)
                    .onSuccess(g -> opened.state().heartbeats().start(HEARTBEAT_INTERVAL))
                    .onFailure(err -> opened.state().shutdown()));
  }

  /** What a replica reads from its shared state before it can listen. */
  private record OpenedState(PostgresState state, byte[] uploadKey, AuthProviders providers) {}

  /**
   * Opens the shared state (schema migrated) and reads what start needs from it; while the database
   * is unreachable or slow, tries again (back-off doubling from {@link #FIRST_STATE_RETRY} to 5 s)
   * until {@code until}. A refusal that is not about reaching it (a wrong password, a schema newer
   * than this replica) fails at once.
   */
  private static Future<OpenedState> openState(
      Vertx vertx, GatewayConfig config, long until, Duration backoff) {
    Future<OpenedState> attempt =
        PostgresState.open(vertx, config.state().get().postgres())
            .compose(
                state ->
                    state
                        .keys()
                        .uploadIdKey()
                        .compose(
                            key ->
                                fleetProviders(vertx, config, state)
                                    .map(p -> new OpenedState(state, key, p)))
                        .onFailure(err -> state.shutdown()));
    return attempt.recover(
        err -> {
          if (!(err instanceof StateUnavailableException)
              || System.nanoTime() + backoff.toNanos() >= until) {
            return Future.failedFuture(err);
          }
          LOG.warn(
              "shared state not reachable yet, trying again in {} ms: {}",
              backoff.toMillis(),
              err.getMessage());
          Duration next = backoff.multipliedBy(2);
          return vertx
              .timer(backoff.toMillis())
              .compose(
                  t ->
                      openState(
                          vertx,
                          config,
                          until,
                          next.compareTo(MAX_STATE_RETRY) > 0 ? MAX_STATE_RETRY : next));
        });
  }

  /**
   * The credential sources of a replica: the token key shared in the database, and the robots of
   * {@code auth.robots: {store: state}}, read before the gateway listens.
   */
  private static Future<AuthProviders> fleetProviders(
      Vertx vertx, GatewayConfig config, PostgresState state) {
    return state
        .keys()
        .key(FleetAuthProviders.TOKEN_KEY)
        .compose(
            seed ->
                sharedRobots(config, state)
                    .map(robots -> new FleetAuthProviders(vertx, state, robots, seed)));
  }

  /** The robots of {@code auth.robots: {store: state}}, read before the gateway listens. */
  private static Future<Optional<SharedRobotStore>> sharedRobots(
      GatewayConfig config, PostgresState state) {
    boolean shared = config.auth().flatMap(a -> a.robots()).map(RobotsConfig::shared).orElse(false);
    if (!shared) {
      return Future.succeededFuture(Optional.empty());
    }
    return SharedRobotStore.open(state).map(Optional::of);
  }

  private static Future<Gateway> start(
      Vertx vertx,
      GatewayConfig config,
      Optional<PostgresState> state,
      byte[] uploadKey,
      AuthProviders providers) {
    UploadIds uploadIds = new UploadIds(uploadKey);
    GatewayMetrics metrics = GatewayMetrics.prometheus();
    List<Upstream> upstreams =
        config.upstreams().stream()
            .map(u -> new Upstream(vertx, u, metrics, config.server().eventLoops()))
            .toList();
    Enforcement enforcement;
    try {
      enforcement = Enforcement.start(vertx, config, metrics, state);
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(
          new IllegalStateException("cannot start trust enforcement: " + e.getMessage(), e));
    }
    Optional<AuthServices> auth;
    try {
      auth = accessControl(config, enforcement, providers);
    } catch (ConfigException e) {
      enforcement.close(vertx);
      return Future.failedFuture(e);
    } catch (IOException | RuntimeException e) {
      enforcement.close(vertx);
      return Future.failedFuture(
          new IllegalStateException("cannot start access control: " + e.getMessage(), e));
    }
    return CacheSetup.open(vertx, config.cache(), metrics)
        .onFailure(err -> enforcement.close(vertx))
        .compose(
            caches ->
                listen(
                    vertx,
                    config,
                    state,
                    upstreams,
                    uploadIds,
                    enforcement,
                    auth,
                    caches,
                    metrics));
  }

  /**
   * With TLS on, runs handshakes with the listeners before readiness is reported, so the first
   * clients after a start do not pay a cold JVM's handshake (see {@link TlsWarmup}). A warm-up that
   * fails only costs speed: it is logged, and the listener itself still decides.
   */
  private static Future<Void> warmTls(Vertx vertx, ServerConfig server, int port) {
    if (server.tls().isEmpty()) {
      return Future.succeededFuture();
    }
    return TlsWarmup.run(vertx, server, port, TLS_WARMUP_ROUNDS)
        .onSuccess(
            r ->
                LOG.info(
                    "TLS warmed up with {} handshakes in {} ms",
                    r.handshakes(),
                    r.took().toMillis()))
        .onFailure(
            err ->
                LOG.warn(
                    "TLS warm-up failed, so the first handshakes may be slow: {}", err.toString()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private static Future<Gateway> listen(
      Vertx vertx,
      GatewayConfig config,
      Optional<PostgresState> state,
      List<Upstream> upstreams,
      UploadIds uploadIds,
      Enforcement enforcement,
      Optional<AuthServices> auth,
      Caches caches,
      GatewayMetrics metrics) {
    RegistryApi api =
        new RegistryApi(
            config,
            new UpstreamRouter(upstreams, caches.artifacts()),
            uploadIds,
            enforcement.enforcer(),
            vertx,
            auth,
            caches);
    // Ready once the client listener accepts requests (the policy is loaded by then); not ready
    // again from the moment shutdown begins, so a load balancer drains this replica.
    AtomicBoolean ready = new AtomicBoolean();
    ConnectionDeadlines deadlines = new ConnectionDeadlines(vertx, config.server());
    Future<Optional<AdminServer>> adminStarted =
        config
            .admin()
            .map(a -> AdminServer.start(vertx, a, metrics, ready::get).map(Optional::of))
            .orElse(Future.succeededFuture(Optional.empty()));
    return adminStarted
        .recover(
            err -> {
              enforcement.close(vertx);
              return Future.failedFuture(
                  new IllegalStateException(
                      "cannot listen on admin "
                          + config.admin().get().host()
                          + ":"
                          + config.admin().get().port()
                          + ": "
                          + err.getMessage(),
                      err));
            })
        .compose(
            admin ->
                tlsFiles(vertx, config.server())
                    .compose(
                        tls ->
                            ClientListeners.start(
                                    vertx,
                                    config.server(),
                                    tls,
                                    new RequestObserver(api, metrics, deadlines),
                                    deadlines)
                                .map(
                                    s ->
                                        new Gateway(
                                            vertx,
                                            s,
                                            upstreams,
                                            enforcement,
                                            metrics,
                                            admin,
                                            ready,
                                            List.of(
                                                refreshCredentials(vertx, auth),
                                                followFleet(vertx, state, auth)),
                                            caches,
                                            state,
                                            tls.map(
                                                t ->
                                                    new CertificateReloader(
                                                        vertx,
                                                        config.server(),
                                                        s.port(),
                                                        t,
                                                        s::updateTls,
                                                        metrics)))))
                    .recover(
                        err -> {
                          admin.ifPresent(AdminServer::close);
                          return Future.failedFuture(err);
                        }))
        .compose(g -> warmTls(vertx, config.server(), g.port()).map(g))
        .map(
            g -> {
              ready.set(true);
              g.adminPort()
                  .ifPresent(
                      p -> LOG.info("admin listener (/metrics, /healthz, /readyz) on port {}", p));
              LOG.info(
                  "portcullis gateway listening on {}://{}:{} ({} event loops, {}) with upstreams {}",
                  config.server().scheme(),
                  config.server().host(),
                  g.port(),
                  g.server.size(),
                  transport(vertx),
                  config.upstreams().stream()
                      .map(
                          u ->
                              (u.prefix().isEmpty() ? "(default)" : u.prefix())
                                  + " -> "
                                  + u.url()
                                  + (u.push() ? " [push]" : ""))
                      .toList());
              return g;
            });
  }

  /**
   * Re-reads changed credential files (the robots file) every {@link #REFRESH_INTERVAL} on a worker
   * thread, so a robot created or revoked by {@code robot create|revoke} counts within seconds, for
   * Basic logins and for tokens issued before the change alike.
   */
  private static long refreshCredentials(Vertx vertx, Optional<AuthServices> auth) {
    if (auth.isEmpty() || auth.get().config().robots().filter(r -> !r.shared()).isEmpty()) {
      return -1;
    }
    // One look at a time: a slow file system must not pile refreshes up on the worker pool.
    AtomicBoolean running = new AtomicBoolean();
    return vertx.setPeriodic(
        REFRESH_INTERVAL.toMillis(),
        id -> {
          if (running.compareAndSet(false, true)) {
            vertx
                .executeBlocking(
                    () -> {
                      auth.get().authenticator().refresh();
                      return null;
                    },
                    false)
                .onComplete(ar -> running.set(false));
          }
        });
  }

  /**
   * Counts the live replicas every {@link #HEARTBEAT_INTERVAL} (now, and then periodically: never
   * per request), so quotas and the failed-login fallback apply this replica's share. While the
   * count cannot be read the last one stays.
   */
  private static long followFleet(
      Vertx vertx, Optional<PostgresState> state, Optional<AuthServices> auth) {
    if (state.isEmpty() || auth.isEmpty()) {
      return -1;
    }
    Runnable count =
        () ->
            state
                .get()
                .heartbeats()
                .live(HEARTBEAT_INTERVAL.multipliedBy(3))
                .onSuccess(live -> auth.get().fleet().replicas(live))
                .onFailure(err -> LOG.debug("cannot count live replicas: {}", err.getMessage()));
    count.run();
    return vertx.setPeriodic(HEARTBEAT_INTERVAL.toMillis(), id -> count.run());
  }

  private static Optional<AuthServices> accessControl(
      GatewayConfig config, Enforcement enforcement, AuthProviders providers) throws IOException {
    if (config.auth().isEmpty()) {
      LOG.warn(
          "no access control configured (auth): anyone who can reach this gateway may pull and"
              + " push through it");
      return Optional.empty();
    }
    AuthServices auth = AuthServices.start(config.auth().get(), enforcement.audit(), providers);
    LOG.info(
        "access control on: tokens signed with key {} ({}), valid {}; robots: {}; OIDC issuers: {}",
        auth.tokens().kid(),
        !config.auth().get().tokenKeyFileSet() && providers.tokenKey().isPresent()
            ? "shared by the replicas in the shared state"
            : config.auth().get().tokenKeyFile(),
        auth.tokens().ttl(),
        config.auth().get().robots().map(RobotsConfig::describe).orElse("none"),
        config.auth().get().oidc().stream().map(o -> o.issuer()).toList());
    return Optional.of(auth);
  }

  public int port() {
    return server.port();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The admin listener's port, when one is configured. */
  public Optional<Integer> adminPort() {
    return admin.map(AdminServer::port);
  }

  /** The shared state in PostgreSQL, when {@code state} is configured. */
  public Optional<PostgresState> state() {
    return state;
  }

  /** The meters of this gateway, for parts that add their own (e.g. a cache). */
  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Stops at once, breaking transfers in flight. */
  public Future<Void> close() {
    return close(Duration.ZERO);
  }

  /**
   * Stops listening, then gives transfers in flight up to {@code grace} to finish before their
   * connections are closed, then closes the upstream clients.
   */
  public Future<Void> close(Duration grace) {
    ready.set(false);
    timers.stream().filter(t -> t >= 0).forEach(vertx::cancelTimer);
    long started = System.nanoTime();
    return server
        .shutdown(grace)
        // Cache fills outlive their clients by design; give those under way the rest of the grace
        // to reach the store, so a restart does not fetch again what was just served.
        .transform(v -> settle(grace.minusNanos(System.nanoTime() - started)))
        .transform(v -> Future.all(upstreams.stream().map(Upstream::close).toList()))
        .transform(v -> enforcement.close(vertx))
        .transform(v -> admin.map(AdminServer::close).orElse(Future.succeededFuture()))
        .transform(v -> state.map(PostgresState::shutdown).orElse(Future.succeededFuture()))
        .mapEmpty();
  }

  /** Waits (up to {@code grace}) for cache fills and cache writes under way. */
  private Future<Void> settle(Duration grace) {
    List<Future<Void>> work = new ArrayList<>();
    if (caches.blobs() != null) {
      work.add(caches.blobs().settle(grace));
    }
    if (caches.manifests() != null) {
      work.add(caches.manifests().settle(grace));
    }
    return Future.all(work).mapEmpty();
  }

  /**
   * The key that seals upload ids, created once (mode 0600) so uploads survive a restart; replicas
   * that share it can continue each other's uploads.
   */
  private static byte[] uploadKey(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve("upload-id.key");
    if (Files.exists(file)) {
      byte[] key = Files.readAllBytes(file);
      if (key.length >= 32) {
        return key;
      }
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path tmp = Files.createTempFile(dataDir, "upload-id", ".tmp");
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      LOG.warn("cannot restrict permissions of {}", tmp);
    }
    Files.write(tmp, key, StandardOpenOption.TRUNCATE_EXISTING);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return key;
  }
}
