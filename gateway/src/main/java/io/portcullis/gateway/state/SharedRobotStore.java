package io.portcullis.gateway.state;

import io.portcullis.gateway.auth.AccountsUnavailableException;
import io.portcullis.gateway.auth.Authenticator;
import io.portcullis.gateway.auth.CredentialVerifier;
import io.portcullis.gateway.auth.Identity;
import io.portcullis.gateway.auth.RobotAccounts;
import io.portcullis.gateway.auth.RobotRecord;
import io.portcullis.gateway.auth.RobotStore;
import io.portcullis.gateway.auth.RobotStore.CreatedRobot;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The robots of {@code auth.robots: {store: state}}: logins and tokens checked against the shared
 * state's records ({@link SharedRobots}), kept in memory so that neither a login nor a token check
 * waits for the database, and the admin API's and CLI's writes.
 *
 * <p><b>Staying current.</b> Every robot is read at start; {@link RobotFeed} reports each change on
 * any replica within a second (or within {@link #POLL_INTERVAL} by polling when notifications are
 * lost): the robot is dropped from memory at once (its tokens are refused from that moment) and
 * read again. A revocation is final (names are never reused), so a revoked record in memory is
 * never replaced by an older, active one that a slower read returns.
 *
 * <p><b>Database down.</b> A robot in memory keeps logging in: its record was read from the
 * database and its secret is checked against the record's hash, as before the outage; a revocation
 * made elsewhere meanwhile is learnt when the feed reconnects. A robot not in memory (created
 * elsewhere and not yet heard of, or no robot at all: the two cannot be told apart) is a {@link
 * AccountsUnavailableException}, which the gateway answers with 503: never an allow.
 */
public final class SharedRobotStore implements CredentialVerifier, RobotAccounts, AutoCloseable {
  /** How often the newest change is polled, the fallback when notifications are lost. */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private final SharedRobots robots;
  private final Clock clock;
  private final ConcurrentMap<String, RobotRecord> known = new ConcurrentHashMap<>();
  private volatile RobotFeed feed;

  private SharedRobotStore(SharedRobots robots, Clock clock) {
    this.robots = robots;
    this.clock = clock;
  }

  /** Reads every robot of {@code state} and follows its changes; fails when it cannot read them. */
  public static Future<SharedRobotStore> open(PostgresState state) {
    SharedRobotStore store = new SharedRobotStore(state.robots(), Clock.systemUTC());
    return store
        .reloadAll()
        .map(
            v -> {
              store.feed = state.robotFeed(POLL_INTERVAL, store::changed);
              return store;
            });
  }

  private void changed(RobotFeed.Change change) {
    if (change.name().isEmpty()) {
      reloadAll();
      return;
    }
    String name = change.name().get();
    // Refused from this moment until read again: a revocation must not wait for the read.
    known.remove(name);
    robots.find(name).onSuccess(found -> found.ifPresent(this::remember));
  }

  private Future<Void> reloadAll() {
    return robots.list().onSuccess(all -> all.forEach(this::remember)).mapEmpty();
  }

  /** Keeps {@code robot}, unless a revoked record of it is known: revocations are final. */
  private void remember(RobotRecord robot) {
    known.merge(robot.name(), robot, (old, fresh) -> old.revoked() ? old : fresh);
  }

  /**
   * Blocking (bcrypt, and a database read for a robot not in memory): on a worker thread. See the
   * class comment for the database being down.
   */
  @Override
  public Optional<Identity> verify(String username, char[] secret) {
    if (username == null || !username.startsWith(Authenticator.ROBOT_PREFIX)) {
      return RobotStore.login(null, username, secret, clock.instant());
    }
    String name = username.substring(Authenticator.ROBOT_PREFIX.length());
    RobotRecord robot = known.get(name);
    if (robot == null && RobotRecord.isName(name)) {
      robot = lookUp(name).orElse(null);
    }
    return RobotStore.login(robot, username, secret, clock.instant());
  }

  private Optional<RobotRecord> lookUp(String name) {
    try {
      // the call has its own deadline (StateDatabase); this bound only guards against a bug
      Optional<RobotRecord> found =
          robots.find(name).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
      found.ifPresent(this::remember);
      return found;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new AccountsUnavailableException(
          "robot '"
              + name
              + "' is not known to this replica and the shared state cannot be reached to check"
              + " it; retry shortly",
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AccountsUnavailableException("interrupted while checking a robot", e);
    }
  }

  /** From memory only (safe on an event loop): tokens of a robot revoked anywhere stop at once. */
  @Override
  public Optional<Identity> current(String username) {
    if (username == null || !username.startsWith(Authenticator.ROBOT_PREFIX)) {
      return Optional.empty();
    }
    return Optional.ofNullable(known.get(username.substring(Authenticator.ROBOT_PREFIX.length())))
        .filter(r -> r.status(clock.instant()) == RobotRecord.Status.ACTIVE)
        .map(RobotRecord::identity);
  }

  @Override
  public Future<CreatedRobot> create(
      String name, List<String> roles, List<String> scopes, Duration ttl) {
    return robots
        .create(name, roles, scopes, ttl)
        .onSuccess(made -> remember(made.robot()))
        .recover(SharedRobotStore::unavailable);
  }

  @Override
  public Future<List<RobotRecord>> list() {
    return robots
        .list()
        .onSuccess(all -> all.forEach(this::remember))
        .recover(SharedRobotStore::unavailable);
  }

  @Override
  public Future<Boolean> revoke(String name) {
    return robots
        .revoke(name)
        .onSuccess(
            found -> {
              if (found) {
                known.computeIfPresent(name, (n, r) -> r.asRevoked());
              }
            })
        .recover(SharedRobotStore::unavailable);
  }

  /** The database's outage as the admin API understands it (http knows auth, not state). */
  private static <T> Future<T> unavailable(Throwable err) {
    return Future.failedFuture(
        err instanceof StateUnavailableException
            ? new AccountsUnavailableException(err.getMessage(), err)
            : err);
  }

  /** Robots held in memory (tests). */
  int known() {
    return known.size();
  }

  @Override
  public void close() {
    RobotFeed f = feed;
    if (f != null) {
      f.close();
    }
  }
}
