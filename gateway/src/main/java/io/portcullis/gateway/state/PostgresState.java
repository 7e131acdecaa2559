package io.portcullis.gateway.state;

import io.portcullis.gateway.config.StateConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security state that the replicas of one gateway share, in PostgreSQL (config {@code
 * state.postgres}; issue #15): tag pins, approvals, robots and their change feed, failed-login
 * counters, the upload-id sealing key, replica heartbeats and the Docker Content Trust roots
 * trusted on first use. See docs/state.md for the schema and the failure behaviour.
 *
 * <p>Reactive throughout (vertx-pg-client): no call blocks an event loop. Every call has a deadline
 * and fails with {@link StateUnavailableException} when the database is down or slow, so a caller
 * fails closed at once instead of hanging; the pool opens new connections as calls need them, so it
 * recovers by itself when the database is back. {@link #open} migrates the schema before anything
 * else (see {@link Migrations}).
 */
public final class PostgresState implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresState.class);

  /** Connections per replica: each statement is short, so a few serve a busy replica. */
  static final int POOL_SIZE = 8;

  /** Calls waiting for a connection at most; more fail at once (bounded memory). */
  static final int MAX_WAITING = 1024;

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final StateDatabase db;
  private final TagPins pins;
  private final SharedApprovals approvals;
  private final SharedRobots robots;
  private final FailedLoginCounters failedLogins;
  private final SharedKeys keys;
  private final Heartbeats heartbeats;
  private final SharedDctRoots dctRoots;
  private final List<RobotFeed> feeds = new CopyOnWriteArrayList<>();

  private PostgresState(Vertx vertx, PgConnectOptions options, StateDatabase db) {
    this.vertx = vertx;
    this.options = options;
    this.db = db;
    this.pins = new TagPins(db);
    this.approvals = new SharedApprovals(db);
    this.robots = new SharedRobots(db, vertx, Clock.systemUTC());
    this.failedLogins = new FailedLoginCounters(db);
    this.keys = new SharedKeys(db);
    this.heartbeats = new Heartbeats(db, failedLogins, vertx, replicaId());
    this.dctRoots = new SharedDctRoots(db);
  }

  /**
   * Connects to the database of {@code config} and brings its schema up to date; fails with {@link
   * StateUnavailableException} when it cannot be reached, or with the database's refusal (wrong
   * password, schema newer than this gateway). Reads the password file now: call it at start.
   */
  public static Future<PostgresState> open(Vertx vertx, StateConfig.Postgres config) {
    PgConnectOptions options;
    try {
      options = connectOptions(config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Pool pool =
        PgBuilder.pool()
            .with(
                new PoolOptions()
                    .setMaxSize(POOL_SIZE)
                    .setMaxWaitQueueSize(MAX_WAITING)
                    // no pool timer for the wait (each call has its own deadline): that timer
                    // firing after the pool closed left vertx-sql-client 5.0.7's close unfinished
                    .setConnectionTimeout(0)
                    // recycled, so a replaced server (failover, new address) is picked up
                    .setMaxLifetime(30)
                    .setMaxLifetimeUnit(TimeUnit.MINUTES))
            .with(
                new NetClientOptions()
                    .setConnectTimeout((int) config.connectTimeout().toMillis())
                    .setTcpKeepAlive(true))
            .connectingTo(options)
            .using(vertx)
            .build();
    StateDatabase db = new StateDatabase(pool, config.url(), config.queryTimeout());
    return Migrations.migrate(db)
        .map(
            found -> {
              LOG.info(
                  "shared state at {}: schema version {} (was {})",
                  config.url(),
                  Migrations.latest(),
                  found);
              return new PostgresState(vertx, options, db);
            })
        .onFailure(err -> pool.close());
  }

  static PgConnectOptions connectOptions(StateConfig.Postgres config) {
    PgConnectOptions options =
        new PgConnectOptions()
            .setHost(config.host())
            .setPort(config.port())
            .setDatabase(config.database())
            .setUser(config.user())
            .setPassword(config.password());
    options.addProperty("application_name", "portcullis");
    // the server ends a statement that outlives the client's deadline
    options.addProperty("statement_timeout", Long.toString(config.queryTimeout().toMillis()));
    if (config.caFile().isPresent()) {
      options
          .setSslMode(SslMode.VERIFY_FULL)
          .setSslOptions(
              new ClientSSLOptions()
                  .setTrustOptions(
                      new PemTrustOptions().addCertPath(config.caFile().get().toString()))
                  .setHostnameVerificationAlgorithm("HTTPS"));
    } else {
      options.setSslMode(SslMode.DISABLE);
      if (!config.host().equals("127.0.0.1") && !config.host().equals("localhost")) {
        LOG.warn(
            "shared state at {} without TLS: set state.postgres.caFile unless the network to it"
                + " is trusted",
            config.url());
      }
    }
    return options;
  }

  public TagPins pins() {
    return pins;
  }

  /** What approved manifests let through, known to every replica. */
  public SharedApprovals approvals() {
    return approvals;
  }

  public SharedRobots robots() {
    return robots;
  }

  public FailedLoginCounters failedLogins() {
    return failedLogins;
  }

  public SharedKeys keys() {
    return keys;
  }

  public Heartbeats heartbeats() {
    return heartbeats;
  }

  /** The Docker Content Trust roots trusted on first use, the same for every replica. */
  public SharedDctRoots dctRoots() {
    return dctRoots;
  }

  /**
   * Calls {@code onChange} when robots change on any replica (within a second through
   * LISTEN/NOTIFY, or within {@code pollInterval} by polling when notifications are lost); closed
   * with this state.
   */
  public RobotFeed robotFeed(Duration pollInterval, Consumer<RobotFeed.Change> onChange) {
    RobotFeed feed = new RobotFeed(vertx, options, robots, pollInterval, onChange);
    feeds.add(feed);
    return feed;
  }

  /** The schema version this gateway migrates to. */
  public static int schemaVersion() {
    return Migrations.latest();
  }

  /** Stops the feeds and heartbeats and closes the pool. */
  public Future<Void> shutdown() {
    feeds.forEach(RobotFeed::close);
    heartbeats.close();
    return db.pool().close();
  }

  @Override
  public void close() {
    shutdown();
  }

  /** {@code $HOSTNAME} (a container's name) and a random suffix: unique across restarts. */
  private static String replicaId() {
    String host = System.getenv().getOrDefault("HOSTNAME", "replica");
    byte[] suffix = new byte[4];
    new SecureRandom().nextBytes(suffix);
    String name = host.replaceAll("[^A-Za-z0-9._-]", "").isEmpty() ? "replica" : host;
    return name.replaceAll("[^A-Za-z0-9._-]", "") + "-" + HexFormat.of().formatHex(suffix);
  }
}
