package io.portcullis.gateway.state;

import io.portcullis.gateway.auth.RobotAccounts;
import io.portcullis.gateway.auth.RobotExistsException;
import io.portcullis.gateway.auth.RobotRecord;
import io.portcullis.gateway.auth.RobotStore.CreatedRobot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Robot (CI) accounts shared by every replica: the database counterpart of the robots file ({@code
 * auth.RobotStore}), with its rules: names are never reused (a revoked or expired robot keeps its
 * name, so a log line always names one account), the secret is shown once and stored only as its
 * bcrypt hash ({@code auth.SecretHasher}, made on a worker thread: bcrypt must not hold an event
 * loop).
 *
 * <p>Every change bumps the robot's {@code change_id} and, in the same statement, sends a {@code
 * NOTIFY} on {@value #CHANNEL} with the robot's name, delivered when the change commits: {@link
 * RobotFeed} turns both into callbacks on the other replicas.
 */
public final class SharedRobots implements RobotAccounts {
  /** The LISTEN/NOTIFY channel of robot changes; the payload is the robot's name. */
  public static final String CHANNEL = "portcullis_robots";

  private static final String COLUMNS =
      "name, roles, scopes, created_at, expires_at, revoked_at, secret_hash";

  private final StateDatabase db;
  private final Vertx vertx;
  private final Clock clock;

  SharedRobots(StateDatabase db, Vertx vertx, Clock clock) {
    this.db = db;
    this.vertx = vertx;
    this.clock = clock;
  }

  /**
   * Creates a robot valid for {@code ttl} with a new secret, which the result holds and nothing
   * else keeps; fails with {@link RobotExistsException} when the name is taken, {@link
   * IllegalArgumentException} for an invalid name, role, scope or ttl.
   */
  @Override
  public Future<CreatedRobot> create(
      String name, List<String> roles, List<String> scopes, Duration ttl) {
    try {
      CreatedRobot.check(name, scopes, ttl);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return vertx
        .executeBlocking(() -> CreatedRobot.issue(name, roles, scopes, ttl, clock), false)
        .compose(made -> insert(made.robot()).map(made));
  }

  private Future<Void> insert(RobotRecord r) {
    return db.query(
            "WITH r AS (INSERT INTO robots ("
                + COLUMNS
                + ") VALUES ($1, $2, $3, $4, $5, NULL, $6) RETURNING name)"
                + " SELECT pg_notify('"
                + CHANNEL
                + "', name) FROM r",
            Tuple.of(
                r.name(),
                r.roles().toArray(new String[0]),
                r.scopes().toArray(new String[0]),
                utc(r.createdAt()),
                utc(r.expiresAt()),
                r.secretHash()))
        .<Void>mapEmpty()
        .recover(
            failure ->
                Future.failedFuture(
                    StateDatabase.isDuplicate(failure)
                        ? new RobotExistsException(r.name())
                        : failure));
  }

  /** Every robot, by name; records hold the secret's hash, never a secret. */
  @Override
  public Future<List<RobotRecord>> list() {
    return db.query("SELECT " + COLUMNS + " FROM robots ORDER BY name", Tuple.tuple())
        .map(
            rows -> {
              List<RobotRecord> all = new ArrayList<>();
              rows.forEach(row -> all.add(record(row)));
              return List.copyOf(all);
            });
  }

  /** The robot named {@code name}, if there is one (for logins and tokens issued earlier). */
  public Future<Optional<RobotRecord>> find(String name) {
    return db.query("SELECT " + COLUMNS + " FROM robots WHERE name = $1", Tuple.of(name))
        .map(
            rows ->
                rows.size() == 0 ? Optional.empty() : Optional.of(record(rows.iterator().next())));
  }

  /**
   * Revokes the robot: its logins and the tokens issued to it are refused from now on, on every
   * replica once {@link RobotFeed} tells it. False when there is no such robot; revoking twice is
   * not an error.
   */
  @Override
  public Future<Boolean> revoke(String name) {
    return db.query(
            """
            WITH r AS (
              UPDATE robots
                SET revoked_at = coalesce(revoked_at, now()), change_id = nextval('robot_changes')
                WHERE name = $1
                RETURNING name)
            SELECT pg_notify('%s', name) FROM r"""
                .formatted(CHANNEL),
            Tuple.of(name))
        .map(rows -> rows.size() > 0);
  }

  /** The newest change's id: what {@link RobotFeed} polls when notifications may be lost. */
  Future<Long> lastChange() {
    return db.query("SELECT coalesce(max(change_id), 0) AS c FROM robots", Tuple.tuple())
        .map(rows -> rows.iterator().next().getLong("c"));
  }

  private static RobotRecord record(Row row) {
    return new RobotRecord(
        row.getString("name"),
        Arrays.asList(row.getArrayOfStrings("roles")),
        Arrays.asList(row.getArrayOfStrings("scopes")),
        row.getOffsetDateTime("created_at").toInstant(),
        row.getOffsetDateTime("expires_at").toInstant(),
        row.getOffsetDateTime("revoked_at") != null,
        row.getString("secret_hash"));
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
