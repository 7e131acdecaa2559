package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.RobotsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RobotStoreTest {
  @TempDir Path dir;

  private final OidcTestKeys.MovableClock clock =
      new OidcTestKeys.MovableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private RobotStore store() {
    return RobotStore.open(dir.resolve("robots.json"), clock);
  }

  @Test
  void createdRobotLogsInWithItsRolesAndScopes() throws IOException {
    RobotStore store = store();
    RobotStore.CreatedRobot created =
        store.create("ci-a", List.of("team-a-dev"), List.of("team-a/app/**"), Duration.ofHours(24));

    Optional<Identity> identity = store.verify("robot$ci-a", created.secret().toCharArray());

    assertEquals(
        Optional.of(
            new Identity(
                "robot$ci-a",
                Identity.Kind.ROBOT,
                List.of("team-a-dev"),
                List.of("team-a/app/**"))),
        identity);
    assertEquals(Instant.parse("2026-01-02T00:00:00Z"), created.robot().expiresAt());
    assertTrue(created.secret().matches("pcr_[A-Za-z0-9_-]{43}"), "256-bit base64url secret");
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("wrong secret", "robot$ci-a", "pcr_" + "A".repeat(43)),
        Arguments.of("unknown robot", "robot$ci-b", null),
        Arguments.of("name without robot$", "ci-a", null),
        Arguments.of("another prefix", "user$ci-a", null),
        Arguments.of("null username", null, null),
        Arguments.of("secret with a suffix (bcrypt reads 72 bytes)", "robot$ci-a", "+suffix"),
        Arguments.of("secret padded past 72 bytes", "robot$ci-a", "+" + "x".repeat(80)),
        Arguments.of("empty secret", "robot$ci-a", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesWithTheSameEmptyAnswer(String why, String username, String secret)
      throws IOException {
    RobotStore store = store();
    String real = store.create("ci-a", List.of("dev"), List.of(), Duration.ofHours(1)).secret();
    String tried =
        secret == null ? real : secret.startsWith("+") ? real + secret.substring(1) : secret;
    if (secret != null && secret.isEmpty()) {
      tried = "";
    }
    assertEquals(Optional.empty(), store.verify(username, tried.toCharArray()), why);
    assertTrue(store.verify("robot$ci-a", real.toCharArray()).isPresent(), "real one still works");
  }

  @Test
  void expiredRobotIsRefused() throws IOException {
    RobotStore store = store();
    String secret = store.create("ci-a", List.of("dev"), List.of(), Duration.ofHours(1)).secret();
    clock.advance(Duration.ofMinutes(59));
    assertTrue(store.verify("robot$ci-a", secret.toCharArray()).isPresent());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(Optional.empty(), store.verify("robot$ci-a", secret.toCharArray()));
    assertEquals(
        RobotRecord.Status.EXPIRED, store.list().get(0).status(clock.instant()), "list shows it");
  }

  @Test
  void revokedRobotIsRefusedAndRevokingUnknownSaysSo() throws IOException {
    RobotStore store = store();
    String secret = store.create("ci-a", List.of("dev"), List.of(), Duration.ofHours(1)).secret();
    assertTrue(store.revoke("ci-a"));
    assertEquals(Optional.empty(), store.verify("robot$ci-a", secret.toCharArray()));
    assertTrue(store.revoke("ci-a"), "revoking twice is fine");
    assertFalse(store.revoke("nobody"));
    assertTrue(store.list().get(0).revoked());
  }

  @Test
  void currentIdentityForRefreshTokensEndsWithRevocationOrExpiry() throws IOException {
    RobotStore store = store();
    store.create("ci-a", List.of("dev"), List.of("team/**"), Duration.ofHours(1));
    store.create("ci-b", List.of("dev"), List.of(), Duration.ofHours(2));
    assertEquals(List.of("team/**"), store.current("robot$ci-a").orElseThrow().repositoryScopes());
    assertEquals(Optional.empty(), store.current("ci-a"), "needs the robot$ prefix");
    store.revoke("ci-a");
    assertEquals(Optional.empty(), store.current("robot$ci-a"), "revoked");
    clock.advance(Duration.ofHours(2));
    assertEquals(Optional.empty(), store.current("robot$ci-b"), "expired");
  }

  @Test
  void gatewayFactoryTurnsABrokenFileIntoAConfigError() throws IOException {
    Files.writeString(dir.resolve("robots.json"), "[]");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> RobotStore.open(new RobotsConfig(dir.resolve("robots.json"))));
    assertTrue(e.getMessage().startsWith("auth.robots.file: "), e.getMessage());
  }

  @Test
  void listKeepsCreationOrderAndNamesCannotBeReused() throws IOException {
    RobotStore store = store();
    for (String name : List.of("zeta", "alpha", "mid")) {
      store.create(name, List.of("dev"), List.of(), Duration.ofHours(1));
    }
    store.revoke("alpha");
    assertEquals(
        List.of("zeta", "alpha", "mid"), store.list().stream().map(RobotRecord::name).toList());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> store.create("alpha", List.of("dev"), List.of(), Duration.ofHours(1)));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCreates")
  void createRefusesInvalidInput(String name, List<String> roles, List<String> scopes, Duration ttl)
      throws IOException {
    RobotStore store = store();
    assertThrows(IllegalArgumentException.class, () -> store.create(name, roles, scopes, ttl));
    assertEquals(List.of(), store.list(), "nothing written");
  }

  static Stream<Arguments> badCreates() {
    Duration h = Duration.ofHours(1);
    return Stream.of(
        Arguments.of("CI-A", List.of("dev"), List.of(), h),
        Arguments.of("-ci", List.of("dev"), List.of(), h),
        Arguments.of("ci$a", List.of("dev"), List.of(), h),
        Arguments.of("ci-a", List.of(), List.of(), h),
        Arguments.of("ci-a", List.of("a role"), List.of(), h),
        Arguments.of("ci-a", List.of("dev"), List.of("team/**x"), h),
        Arguments.of("ci-a", List.of("dev"), List.of("/team"), h),
        Arguments.of("ci-a", List.of("dev"), List.of(), Duration.ZERO));
  }

  @Test
  void fileHoldsOnlyTheHashWithOwnerOnlyMode() throws IOException {
    RobotStore store = store();
    String secret = store.create("ci-a", List.of("dev"), List.of(), Duration.ofHours(1)).secret();
    store.revoke("ci-a");
    Path file = dir.resolve("robots.json");
    String text = Files.readString(file);

    assertFalse(text.contains(secret), "secret not at rest");
    assertFalse(text.contains(secret.substring(4, 20)), "not even part of it");
    assertTrue(text.matches("(?s).*\"secretHash\" : \"\\$2y\\$10\\$[./A-Za-z0-9]{53}\".*"), text);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("robots.json", "robots.json.lock"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temp files left behind");
    }
  }

  @Test
  void aRunningStoreSeesAnotherProcessesChangesWithinTheCheckInterval() throws IOException {
    RobotStore gateway = store();
    RobotStore cli = store();
    String secret = cli.create("ci-a", List.of("dev"), List.of(), Duration.ofHours(1)).secret();

    assertEquals(
        Optional.empty(),
        gateway.verify("robot$ci-a", secret.toCharArray()),
        "not looked at yet: checked at most once per second");
    clock.advance(RobotStore.CHECK_INTERVAL);
    assertTrue(gateway.verify("robot$ci-a", secret.toCharArray()).isPresent(), "picked up");

    cli.revoke("ci-a");
    clock.advance(RobotStore.CHECK_INTERVAL);
    assertEquals(Optional.empty(), gateway.verify("robot$ci-a", secret.toCharArray()), "revoked");
  }

  @Test
  void refreshIfChangedSeesAChangeWithinOneMtimeTick() throws IOException {
    RobotStore gateway = store();
    RobotStore cli = store();
    cli.create("ci-a", List.of("dev"), List.of(), Duration.ofHours(1));
    assertTrue(gateway.refreshIfChanged());
    assertFalse(gateway.refreshIfChanged(), "nothing new");
    Path file = dir.resolve("robots.json");
    var mtime = Files.getLastModifiedTime(file);
    cli.revoke("ci-a");
    Files.setLastModifiedTime(file, mtime); // same size too: revoked flips false->true
    assertTrue(gateway.refreshIfChanged(), "the move gave the file a new inode");
    assertTrue(gateway.list().get(0).revoked());
  }

  @Test
  void concurrentWritersLoseNothingAndReadersNeverSeeHalfAFile() throws Exception {
    RobotStore reader = store();
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      Future<Integer> reads =
          pool.submit(
              () -> {
                int n = 0;
                int last = 0;
                while (writing.get()) {
                  // a torn read fails validation and empties the store: the count would drop
                  int size = reader.list().size();
                  if (size < last) {
                    throw new AssertionError("saw " + size + " robots after " + last);
                  }
                  last = size;
                  n++;
                }
                return n;
              });
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int id = w;
        writers.add(
            pool.submit(
                () -> {
                  RobotStore cli = store();
                  for (int i = 0; i < 3; i++) {
                    cli.create("w" + id + "-" + i, List.of("dev"), List.of(), Duration.ofHours(1));
                  }
                  return null;
                }));
      }
      for (Future<?> f : writers) {
        f.get();
      }
      writing.set(false);
      assertTrue(reads.get() > 0);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(12, store().list().size(), "every create kept: writers take the lock");
    assertEquals(12, reader.list().size());
  }

  @Test
  void invalidFileIsRefusedAtOpenAndEmptiesARunningStoreUntilFixed() throws IOException {
    Path file = dir.resolve("robots.json");
    RobotStore store = store();
    String secret = store.create("ci-a", List.of("dev"), List.of(), Duration.ofHours(1)).secret();
    String good = Files.readString(file);

    Files.writeString(file, "{\"version\": 1, \"robots\": [");
    assertThrows(InvalidRobotFileException.class, this::store);
    clock.advance(RobotStore.CHECK_INTERVAL);
    assertEquals(
        Optional.empty(), store.verify("robot$ci-a", secret.toCharArray()), "fails closed");

    Files.writeString(file, good);
    clock.advance(RobotStore.CHECK_INTERVAL);
    assertTrue(store.verify("robot$ci-a", secret.toCharArray()).isPresent(), "fixed file");
  }

  @Test
  void missingFileMeansNoRobots() {
    RobotStore store = store();
    assertEquals(List.of(), store.list());
    assertEquals(Optional.empty(), store.verify("robot$x", "pcr_x".toCharArray()));
  }

  static Stream<Arguments> badFiles() {
    String hash = SecretHasher.hash("pcr_x".toCharArray());
    String entry =
        "{\"name\":\"%s\",\"roles\":%s,\"scopes\":%s,\"createdAt\":\"2026-01-01T00:00:00Z\","
            + "\"expiresAt\":\"%s\",\"revoked\":false,\"secretHash\":\"%s\"}";
    String ok = entry.formatted("ci-a", "[\"dev\"]", "[]", "2026-01-02T00:00:00Z", hash);
    return Stream.of(
        Arguments.of("not JSON", "robots", "not a robots file"),
        Arguments.of("no version", "{\"robots\":[]}", "version"),
        Arguments.of("version 2", "{\"version\":2,\"robots\":[]}", "version"),
        Arguments.of("unknown key", "{\"version\":1,\"robots\":[],\"x\":1}", "not a robots file"),
        Arguments.of(
            "bad name",
            "{\"version\":1,\"robots\":[" + ok.replace("ci-a", "CI A") + "]}",
            "robots[0]"),
        Arguments.of(
            "no roles",
            "{\"version\":1,\"robots\":[" + ok.replace("[\"dev\"]", "[]") + "]}",
            "at least one role"),
        Arguments.of(
            "bad scope",
            "{\"version\":1,\"robots\":["
                + ok.replace("\"scopes\":[]", "\"scopes\":[\"a//b\"]")
                + "]}",
            "robots[0]"),
        Arguments.of(
            "plain-text secret instead of a hash",
            "{\"version\":1,\"robots\":[" + ok.replace(hash, "pcr_x") + "]}",
            "bcrypt"),
        Arguments.of(
            "bad time",
            "{\"version\":1,\"robots\":[" + ok.replace("2026-01-02T00:00:00Z", "tomorrow") + "]}",
            "robots[0]"),
        Arguments.of(
            "duplicate name", "{\"version\":1,\"robots\":[" + ok + "," + ok + "]}", "twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void invalidFilesNameTheProblem(String why, String content, String expected) throws IOException {
    Files.writeString(dir.resolve("robots.json"), content);
    InvalidRobotFileException e = assertThrows(InvalidRobotFileException.class, this::store);
    assertTrue(e.getMessage().contains(expected), why + ": " + e.getMessage());
  }
}
