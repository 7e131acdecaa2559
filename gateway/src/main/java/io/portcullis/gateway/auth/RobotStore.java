package io.portcullis.gateway.auth;

import io.portcullis.core.policy.ScopePattern;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.RobotsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Robot (CI) accounts over the robots file ({@link RobotFile}): logs robots in as {@code
 * robot$<name>} and lets the {@code robot} commands create, list and revoke them.
 *
 * <p><b>Changes from elsewhere.</b> {@link #verify} looks at the file's size, modification time and
 * file key (inode) at most once per {@link #CHECK_INTERVAL} and re-reads it when they changed;
 * since every write replaces the file by a move, each write gets a new inode, so a change is seen
 * even within one mtime tick. A gateway may also call {@link #refreshIfChanged()} from a periodic
 * worker task; it is cheap when nothing changed.
 *
 * <p><b>Failing closed.</b> {@link #open} refuses a file that exists but does not validate. A file
 * that turns invalid or unreadable while the gateway runs empties the store (every robot login is
 * refused, and an error is logged) until a valid file appears; a missing file means no robots.
 */
public final class RobotStore implements CredentialVerifier {
  /** How often {@link #verify} looks at the file for changes. */
  public static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(RobotStore.class);

  private final Path file;
  private final Clock clock;
  private volatile Snapshot snapshot;
  private volatile Instant lastCheck;

  private RobotStore(Path file, Clock clock, Snapshot snapshot) {
    this.file = file;
    this.clock = clock;
    this.snapshot = snapshot;
    this.lastCheck = clock.instant();
  }

  /** Opens {@code file}, or throws {@link InvalidRobotFileException} when it cannot be used. */
  public static RobotStore open(Path file, Clock clock) {
    try {
      return new RobotStore(file, clock, load(file));
    } catch (IOException e) {
      throw new InvalidRobotFileException(
          "cannot read robots file " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  public static RobotStore open(Path file) {
    return open(file, Clock.systemUTC());
  }

  /**
   * The store of {@code auth.robots}, for the gateway's {@link AuthProviders}: a file that exists
   * but cannot be used is a {@link ConfigException}, so the gateway does not start on it.
   */
  public static RobotStore open(RobotsConfig config) {
    try {
      return open(
          config
              .file()
              .orElseThrow(
                  () -> new ConfigException("auth.robots.file: is not set (store: state)")));
    } catch (InvalidRobotFileException e) {
      throw new ConfigException("auth.robots.file: " + e.getMessage());
    }
  }

  public Path file() {
    return file;
  }

  /**
   * The robot's identity when {@code username} is {@code robot$<name>} of an active robot and
   * {@code secret} is its secret. Unknown, revoked and expired robots and wrong secrets all get the
   * same empty answer after the same bcrypt work; the log line says which (never the secret).
   */
  @Override
  public Optional<Identity> verify(String username, char[] secret) {
    if (Duration.between(lastCheck, clock.instant()).compareTo(CHECK_INTERVAL) >= 0) {
      refreshIfChanged();
    }
    RobotRecord robot =
        username != null && username.startsWith(Authenticator.ROBOT_PREFIX)
            ? snapshot.robots().get(username.substring(Authenticator.ROBOT_PREFIX.length()))
            : null;
    return login(robot, username, secret, clock.instant());
  }

  /**
   * The identity a login as {@code username} with {@code secret} gets from {@code robot} (null when
   * there is no such robot), for either store: unknown, revoked and expired robots and wrong
   * secrets all get the same empty answer after the same bcrypt work; the log line says which
   * (never the secret). Blocking (bcrypt).
   */
  public static Optional<Identity> login(
      RobotRecord robot, String username, char[] secret, Instant now) {
    if (robot == null) {
      SecretHasher.burn();
      LOG.info("robot login refused for '{}': no such robot", printable(username));
      return Optional.empty();
    }
    boolean secretOk = SecretHasher.matches(robot.secretHash(), secret);
    RobotRecord.Status status = robot.status(now);
    if (!secretOk) {
      LOG.info("robot login refused for '{}': wrong secret", robot.username());
      return Optional.empty();
    }
    if (status != RobotRecord.Status.ACTIVE) {
      LOG.info("robot login refused for '{}': {}", robot.username(), status.name().toLowerCase());
      return Optional.empty();
    }
    return Optional.of(robot.identity());
  }

  /**
   * The current identity of robot {@code username} ({@code robot$<name>}) when it is still active,
   * without a secret: for access and refresh tokens issued earlier, so that a robot revoked or
   * expired since then is refused, and one whose roles changed gets the new roles. From the last
   * read of the file (no I/O): a gateway calls {@link #refresh()} periodically on a worker thread.
   */
  @Override
  public Optional<Identity> current(String username) {
    if (username == null || !username.startsWith(Authenticator.ROBOT_PREFIX)) {
      return Optional.empty();
    }
    return Optional.ofNullable(
            snapshot.robots().get(username.substring(Authenticator.ROBOT_PREFIX.length())))
        .filter(r -> r.status(clock.instant()) == RobotRecord.Status.ACTIVE)
        .map(RobotRecord::identity);
  }

  @Override
  public void refresh() {
    refreshIfChanged();
  }

  /** Re-reads the file if it changed since it was last read; true when it did. */
  public synchronized boolean refreshIfChanged() {
    lastCheck = clock.instant();
    Optional<Object> now = signature(file);
    if (snapshot.valid() && now.equals(snapshot.signature())) {
      return false;
    }
    try {
      Snapshot next = load(file);
      if (!snapshot.valid()) {
        LOG.info("robots file {} is valid again: {} robot(s)", file, next.robots().size());
      }
      snapshot = next;
    } catch (IOException | InvalidRobotFileException e) {
      if (snapshot.valid() || !now.equals(snapshot.signature())) {
        LOG.error(
            "robots file {} cannot be used, refusing every robot login until it is fixed: {}",
            file,
            e instanceof IOException ? e.getClass().getSimpleName() : e.getMessage());
      }
      snapshot = new Snapshot(Map.of(), now, false);
    }
    return true;
  }

  /** Every robot, in file order (re-read first so the answer is current). */
  public List<RobotRecord> list() {
    refreshIfChanged();
    return List.copyOf(snapshot.robots().values());
  }

  /** The new robot and its secret, which is not stored and cannot be shown again. */
  public record CreatedRobot(RobotRecord robot, String secret) {
    /**
     * A robot valid for {@code ttl} from now with a new secret, for either store (the file here,
     * the shared state's {@code SharedRobots}): {@link IllegalArgumentException} for an invalid
     * name, role, scope or ttl. Blocking: bcrypt is slow by design, call it on a worker thread.
     */
    public static CreatedRobot issue(
        String name, List<String> roles, List<String> scopes, Duration ttl, Clock clock) {
      check(name, scopes, ttl);
      String secret = SecretHasher.newSecret();
      Instant created = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      RobotRecord robot =
          new RobotRecord(
              name,
              roles,
              scopes,
              created,
              created.plus(ttl),
              false,
              SecretHasher.hash(secret.toCharArray()));
      return new CreatedRobot(robot, secret);
    }

    /** The checks {@link #issue} makes first, for a caller that wants them before any work. */
    public static void check(String name, List<String> scopes, Duration ttl) {
      RobotRecord.checkName(name);
      scopes.forEach(ScopePattern::parse);
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl must be positive");
      }
    }

    /**
     * What {@code robot create} and {@code POST /api/v1/robots} answer, once: {@code
     * {"name","username","secret","expiresAt"}}.
     */
    public Map<String, Object> shown() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", robot.name());
      m.put("username", robot.username());
      m.put("secret", secret);
      m.put("expiresAt", robot.expiresAt().toString());
      return m;
    }

    @Override
    public String toString() {
      return "CreatedRobot[" + robot + "]";
    }
  }

  /**
   * Creates a robot valid for {@code ttl}; {@link RobotExistsException} when the name is taken
   * (revoked and expired robots keep their name, so a log line always names one account), {@link
   * IllegalArgumentException} when a value is invalid.
   */
  public CreatedRobot create(String name, List<String> roles, List<String> scopes, Duration ttl)
      throws IOException {
    CreatedRobot made = CreatedRobot.issue(name, roles, scopes, ttl, clock);
    RobotFile.update(
        file,
        current -> {
          if (current.stream().anyMatch(r -> r.name().equals(name))) {
            throw new RobotExistsException(name);
          }
          List<RobotRecord> next = new ArrayList<>(current);
          next.add(made.robot());
          return next;
        });
    refreshIfChanged();
    return made;
  }

  /**
   * Revokes the robot: its logins are refused from now on (by a running gateway within {@link
   * #CHECK_INTERVAL}). False when there is no such robot; revoking twice is not an error.
   */
  public boolean revoke(String name) throws IOException {
    List<RobotRecord> after =
        RobotFile.update(
            file,
            current ->
                current.stream().map(r -> r.name().equals(name) ? r.asRevoked() : r).toList());
    refreshIfChanged();
    return after.stream().anyMatch(r -> r.name().equals(name));
  }

  private static Snapshot load(Path file) throws IOException {
    Optional<Object> before = signature(file);
    List<RobotRecord> robots = RobotFile.read(file);
    if (!robots.isEmpty() && RobotFile.tooOpen(file)) {
      LOG.warn("robots file {} is readable by others; chmod 600 it", file);
    }
    Map<String, RobotRecord> byName = new LinkedHashMap<>();
    robots.forEach(r -> byName.put(r.name(), r));
    return new Snapshot(Collections.unmodifiableMap(byName), before, true);
  }

  /** Size, mtime and file key; empty when the file does not exist. */
  private static Optional<Object> signature(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return Optional.of(List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey())));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getClass().getName());
    }
  }

  private static String printable(String username) {
    if (username == null) {
      return "";
    }
    if (username.startsWith(SecretHasher.SECRET_PREFIX)) {
      return "<looks like a secret, not shown>";
    }
    String cut = username.length() > 80 ? username.substring(0, 80) + "..." : username;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** What was last read: robots by name, the file signature they came from, and if it was valid. */
  private record Snapshot(
      Map<String, RobotRecord> robots, Optional<Object> signature, boolean valid) {}
}
