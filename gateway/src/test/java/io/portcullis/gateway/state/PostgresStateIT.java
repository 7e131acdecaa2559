package io.portcullis.gateway.state;

import static io.portcullis.gateway.state.StateFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.auth.RobotRecord;
import io.portcullis.gateway.auth.RobotStore.CreatedRobot;
import io.portcullis.gateway.auth.SecretHasher;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared state against a real PostgreSQL, with two pools standing for two replicas (A and B) on
 * a fresh database per test.
 */
class PostgresStateIT extends TwoReplicas {
  private static Digest digest(String seed) {
    return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void migrationsRunOnceWhenReplicasStartTogetherAndAgain() throws Exception {
    String fresh = StateFixture.newDatabase(postgres);
    List<Future<PostgresState>> starting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      starting.add(PostgresState.open(vertx, StateFixture.config(postgres, fresh)));
    }
    await(Future.all(starting));
    PostgresState again = await(PostgresState.open(vertx, StateFixture.config(postgres, fresh)));
    for (Future<PostgresState> f : starting) {
      await(f.result().shutdown());
    }
    await(again.shutdown());
    List<String> expected = new ArrayList<>();
    Migrations.ALL.forEach(m -> expected.add(Integer.toString(m.version())));
    assertEquals(
        String.join(",", expected),
        postgres.sql(
            fresh, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version"),
        "each version applied exactly once");
    assertEquals(
        "approvals,dct_roots,failed_logins,replicas,robots,schema_version,shared_keys,tag_pins",
        postgres.sql(
            fresh,
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables"
                + " WHERE schemaname = 'public'"));
  }

  @Test
  void aSchemaNewerThanTheGatewayKnowsIsRefused() {
    postgres.sql(
        database,
        "INSERT INTO schema_version (version, description) VALUES ("
            + (PostgresState.schemaVersion() + 1)
            + ", 'from the future')");
    Exception e =
        assertThrows(
            Exception.class,
            () -> await(PostgresState.open(vertx, StateFixture.config(postgres, database))));
    assertTrue(e.getMessage().contains("newer than this gateway knows"), e.getMessage());
  }

  @Test
  void twentyConcurrentFirstSeenPinsOnTwoReplicasAgreeOnOneDigest() throws Exception {
    TagPins.Key key = new TagPins.Key("hub", "docker.io/library/app", "1.0");
    List<Future<Digest>> racing = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      PostgresState replica = i % 2 == 0 ? a : b;
      racing.add(replica.pins().firstSeen(key, digest("candidate " + i)));
    }
    await(Future.all(racing));
    Set<Digest> answers = new HashSet<>();
    racing.forEach(f -> answers.add(f.result()));
    assertEquals(1, answers.size(), "every caller is told the same pin: " + answers);
    Digest winner = answers.iterator().next();
    assertEquals(Optional.of(winner), await(b.pins().lookup(key)));
    assertEquals(Optional.of(winner), await(a.pins().lookup(key)));
    assertEquals(winner, await(a.pins().firstSeen(key, digest("later"))), "a later tag move");
    assertEquals(Optional.empty(), await(a.pins().lookup(new TagPins.Key("hub", "other", "1.0"))));
  }

  @Test
  void signedMovesOnlyForwardToADigestSeenLater() throws Exception {
    TagPins.Key key = new TagPins.Key("hub", "team/app", "stable");
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    assertEquals(digest("v1"), await(a.pins().signed(key, digest("v1"), t0)));
    assertEquals(digest("v2"), await(b.pins().signed(key, digest("v2"), t0.plusSeconds(60))));
    // a slow replica finishing an approval of the manifest it read before v2 was seen
    assertEquals(digest("v2"), await(a.pins().signed(key, digest("v1-late"), t0.plusSeconds(30))));
    assertEquals(digest("v2"), await(a.pins().signed(key, digest("v0"), t0.plusSeconds(60))));
    assertEquals(Optional.of(digest("v2")), await(a.pins().lookup(key)));
    assertEquals(digest("v3"), await(a.pins().signed(key, digest("v3"), t0.plusSeconds(61))));
    assertEquals(Optional.of(digest("v3")), await(b.pins().lookup(key)));
  }

  @Test
  void robotsAreCreatedListedAndRevokedAcrossReplicasAndTheFeedTellsTheOtherWithinASecond()
      throws Exception {
    BlockingQueue<RobotFeed.Change> changes = new ArrayBlockingQueue<>(100);
    RobotFeed feed = b.robotFeed(Duration.ofMinutes(10), changes::add);
    // the first subscription reports "anything may have changed"
    assertEquals(Optional.empty(), changes.poll(10, TimeUnit.SECONDS).name());
    assertTrue(feed.listening());

    CreatedRobot made =
        await(
            a.robots()
                .create("ci-team-a", List.of("ci"), List.of("team-a/**"), Duration.ofDays(30)));
    assertEquals(Optional.of("ci-team-a"), changes.poll(1, TimeUnit.SECONDS).name());
    assertTrue(made.secret().startsWith("pcr_"));

    List<RobotRecord> listed = await(b.robots().list());
    assertEquals(1, listed.size());
    RobotRecord robot = listed.get(0);
    assertEquals("ci-team-a", robot.name());
    assertEquals(List.of("ci"), robot.roles());
    assertEquals(List.of("team-a/**"), robot.scopes());
    assertEquals(made.robot().expiresAt(), robot.expiresAt());
    assertFalse(robot.toString().contains(made.secret()));
    assertFalse(robot.secretHash().contains(made.secret()), "only the hash is stored");
    assertTrue(SecretHasher.matches(robot.secretHash(), made.secret().toCharArray()));
    assertEquals(
        "0",
        postgres.sql(
            database,
            "SELECT count(*) FROM robots WHERE secret_hash LIKE '%" + made.secret() + "%'"));
    assertEquals(
        RobotRecord.Status.ACTIVE,
        await(b.robots().find("ci-team-a")).orElseThrow().status(Instant.now()));

    Exception duplicate =
        assertThrows(
            Exception.class,
            () ->
                await(
                    b.robots().create("ci-team-a", List.of("ci"), List.of(), Duration.ofDays(1))));
    assertInstanceOf(io.portcullis.gateway.auth.RobotExistsException.class, duplicate);
    changes.clear();

    long before = System.nanoTime();
    assertTrue(await(a.robots().revoke("ci-team-a")));
    RobotFeed.Change change = changes.poll(1, TimeUnit.SECONDS);
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
    assertEquals(Optional.of("ci-team-a"), change == null ? null : change.name(), "within 1s");
    assertTrue(took < 1000, took + "ms");
    assertEquals(
        RobotRecord.Status.REVOKED,
        await(b.robots().find("ci-team-a")).orElseThrow().status(Instant.now()));
    assertTrue(await(a.robots().revoke("ci-team-a")), "revoking twice is no error");
    assertFalse(await(a.robots().revoke("nobody")));
    assertEquals(Optional.empty(), await(a.robots().find("nobody")));
  }

  @Test
  void robotChangesAreFoundByPollingWhenNoNotificationArrives() throws Exception {
    await(a.robots().create("polled", List.of("ci"), List.of(), Duration.ofDays(1)));
    BlockingQueue<RobotFeed.Change> changes = new ArrayBlockingQueue<>(100);
    RobotFeed feed = b.robotFeed(Duration.ofMillis(200), changes::add);
    await(feed.started());
    assertEquals(Optional.empty(), changes.poll(10, TimeUnit.SECONDS).name(), "subscribed");
    assertEquals(null, changes.poll(500, TimeUnit.MILLISECONDS), "nothing changed");
    // a change written without NOTIFY, as if the notification were lost
    postgres.sql(
        database, "UPDATE robots SET change_id = nextval('robot_changes') WHERE name = 'polled'");
    RobotFeed.Change change = changes.poll(5, TimeUnit.SECONDS);
    assertEquals(Optional.empty(), change == null ? null : change.name());
  }

  @Test
  void failedLoginCountersAreSharedAndStartAgainAfterTheirWindow() throws Exception {
    Duration minute = Duration.ofMinutes(1);
    for (int i = 0; i < 3; i++) {
      await(a.failedLogins().recordFailure("user:alice", minute));
    }
    FailedLoginCounters.Failures onB = await(b.failedLogins().recordFailure("user:alice", minute));
    assertEquals(4, onB.count());
    assertTrue(onB.reached(4));
    assertFalse(onB.reached(5));
    assertTrue(
        onB.remaining().compareTo(minute) <= 0
            && onB.remaining().compareTo(Duration.ofSeconds(50)) > 0,
        onB.remaining().toString());
    assertEquals(4, await(a.failedLogins().read("user:alice")).count());
    assertEquals(0, await(a.failedLogins().read("user:bob")).count());

    Duration shortWindow = Duration.ofMillis(300);
    await(a.failedLogins().recordFailure("address:192.0.2.7", shortWindow));
    await(b.failedLogins().recordFailure("address:192.0.2.7", shortWindow));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (await(b.failedLogins().read("address:192.0.2.7")).count() != 0) {
      assertTrue(System.nanoTime() < deadline, "the window ends");
      Thread.sleep(50); // waiting for the database's clock to pass the window, not for readiness
    }
    assertEquals(1, await(a.failedLogins().recordFailure("address:192.0.2.7", minute)).count());
    assertEquals(0, await(a.failedLogins().purgeExpired()));
    assertThrows(
        IllegalArgumentException.class,
        () -> a.failedLogins().read("x".repeat(FailedLoginCounters.MAX_KEY + 1)));
  }

  @Test
  void theUploadIdKeyIsTheSameForEveryReplica() throws Exception {
    List<Future<byte[]>> asked = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      asked.add((i % 2 == 0 ? a : b).keys().uploadIdKey());
    }
    await(Future.all(asked));
    byte[] key = asked.get(0).result();
    assertEquals(SharedKeys.LENGTH, key.length);
    asked.forEach(f -> assertArrayEquals(key, f.result()));
    PostgresState later = await(PostgresState.open(vertx, StateFixture.config(postgres, database)));
    try {
      assertArrayEquals(key, await(later.keys().uploadIdKey()), "kept across restarts");
    } finally {
      await(later.shutdown());
    }
  }

  @Test
  void heartbeatsCountTheLiveReplicas() throws Exception {
    assertEquals(0, await(a.heartbeats().live(Duration.ofSeconds(30))));
    await(a.heartbeats().beat());
    b.heartbeats().start(Duration.ofSeconds(10));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (await(a.heartbeats().live(Duration.ofSeconds(30))) != 2) {
      assertTrue(System.nanoTime() < deadline, "B's first beat lands");
      Thread.sleep(20);
    }
    assertFalse(a.heartbeats().replica().equals(b.heartbeats().replica()));
    assertEquals(0, await(a.heartbeats().live(Duration.ofMillis(-1))));
  }
}
