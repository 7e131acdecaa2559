package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL (Debian's {@code postgresql}, 15 on Debian 12) in its own temporary directory
 * on a free loopback port, for integration tests of the gateway's shared state.
 *
 * <p>At start it runs {@code initdb}, starts {@code postgres} in the foreground, waits until {@code
 * pg_isready} says so, and makes a login role {@link #USER} with a random password (SCRAM over TCP)
 * owning a database {@link #DATABASE}, as a deployment would. The superuser is reachable only
 * through the Unix socket in the private directory. As root (CI), everything runs as the {@code
 * postgres} user ({@link ServiceUser}). {@link #stop()} and {@link #start()} take the server down
 * and back on the same port with the same data, for outage tests; {@link #close()} removes it all.
 * Durability is traded for speed ({@code fsync=off}): the data is thrown away anyway.
 */
public final class PostgresProcess implements AutoCloseable {
  /**
   * Where Debian installs the server's programs: {@code /usr/lib/postgresql/<major>/bin}, the
   * newest major present (15 on Debian 12).
   */
  public static final Path BIN = newestBin(Path.of("/usr/lib/postgresql"));

  public static final String USER = "portcullis";
  public static final String DATABASE = "portcullis";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final TempDirectory dir = TempDirectory.create("portcullis-postgres-");
  private final Path home = dir.resolve("pg"); // owned by the server's account, mode 700
  private final Path log = dir.resolve("postgres.log");
  private final ServiceUser account = ServiceUser.forPostgres();
  private final String password = randomHex();
  private final ExternalCommand commands = new ExternalCommand(dir.path(), Map.of());
  private final Thread shutdownHook = new Thread(this::cleanUpAtExit, "postgres-shutdown");
  private volatile int port;
  private Process process;

  private final Optional<Path[]> tls; // certificate and key files, as given

  private PostgresProcess(Optional<Path[]> tls) {
    this.tls = tls;
  }

  /** Initialises a cluster, starts it, and makes {@link #USER} and {@link #DATABASE}. */
  public static PostgresProcess start() {
    return new PostgresProcess(Optional.empty()).startFresh();
  }

  /**
   * As {@link #start()}, with TLS on ({@code ssl=on}) using this PEM certificate (chain) and key;
   * clients may still connect without TLS unless they insist ({@code sslmode=verify-full}).
   */
  public static PostgresProcess startWithTls(Path certFile, Path keyFile) {
    return new PostgresProcess(Optional.of(new Path[] {certFile, keyFile})).startFresh();
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** The password of {@link #USER}. */
  public String password() {
    return password;
  }

  /** {@code postgresql://127.0.0.1:<port>/<database>}, the form of the gateway's config. */
  public String url(String database) {
    return "postgresql://" + host() + ":" + port + "/" + database;
  }

  public String url() {
    return url(DATABASE);
  }

  /** A file holding {@link #password()} and a newline, as a mounted secret would. */
  public Path passwordFile() {
    Path file = dir.resolve("password");
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Makes another database owned by {@link #USER}, so that test classes can share a server. */
  public void createDatabase(String name) {
    if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("database name '" + name + "' is not a plain name");
    }
    sql("CREATE DATABASE " + name + " OWNER " + USER);
  }

  /** Runs SQL as the superuser in database {@code postgres}; its unaligned output. */
  public String sql(String statement) {
    return sql("postgres", statement);
  }

  /**
   * Runs SQL as the superuser through the private Unix socket in {@code database}; its unaligned
   * output, or an {@link AssertionError} with psql's message when it fails.
   */
  public String sql(String database, String statement) {
    return commands
        .run(psql(home.toString(), "postgres", database, statement), Duration.ofSeconds(30))
        .orThrow()
        .stdout()
        .strip();
  }

  /**
   * Runs SQL through TCP as {@link #USER} logging in with {@code password} (SCRAM), the way the
   * gateway does; the result, failed when the login or the statement was refused.
   */
  public CommandResult sqlAsUser(String password, String database, String statement) {
    return sqlAsUser(password, database, statement, Map.of());
  }

  /**
   * As {@link #sqlAsUser(String, String, String)} with more libpq variables ({@code PGSSLMODE}).
   */
  public CommandResult sqlAsUser(
      String password, String database, String statement, Map<String, String> libpq) {
    Map<String, String> env = new HashMap<>(libpq);
    env.put("PGPASSWORD", password);
    env.put("PGCONNECT_TIMEOUT", "5");
    return new ExternalCommand(dir.path(), env)
        .run(psql(host(), USER, database, statement), Duration.ofSeconds(30));
  }

  private List<String> psql(String hostOrSocket, String user, String database, String statement) {
    return List.of(
        BIN.resolve("psql").toString(),
        "-h",
        hostOrSocket,
        "-p",
        Integer.toString(port),
        "-U",
        user,
        "-d",
        database,
        "-X",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        statement);
  }

  /** The server's process id (its postmaster), while it runs. */
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("postgres is not running");
    }
    return process.pid();
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Stops the server the way an operator's fast shutdown does (SIGINT: open sessions are ended,
   * clients see their connections close), keeping port and data for {@link #start()}.
   */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    try {
      commands.run(List.of("kill", "-INT", Long.toString(process.pid())), Duration.ofSeconds(10));
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        ProcessTrees.kill(process);
      }
    } catch (InterruptedException e) {
      ProcessTrees.kill(process);
      Thread.currentThread().interrupt();
    } finally {
      process = null;
    }
  }

  /** Starts the server again after {@link #stop()}, on the same port with the same data. */
  public synchronized PostgresProcess startAgain() {
    if (!isRunning()) {
      launch();
      awaitReady();
    }
    return this;
  }

  @Override
  public synchronized void close() {
    stop();
    ProcessLog.removeShutdownHook(shutdownHook);
    dir.close();
  }

  private synchronized PostgresProcess startFresh() {
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      initdb();
      if (tls.isPresent()) {
        installTls(tls.get()[0], tls.get()[1]);
      }
      ProcessLog.startOnFreePorts(
          () -> {
            port = FreePorts.loopback();
            launch();
            awaitReady();
          },
          log,
          "already in use",
          this::stop);
      sql("CREATE ROLE " + USER + " LOGIN PASSWORD '" + password + "'");
      sql("CREATE DATABASE " + DATABASE + " OWNER " + USER);
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void initdb() {
    try {
      // the server's account must reach its directory through ours
      Files.setPosixFilePermissions(dir.path(), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createDirectory(
          home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + home, e);
    }
    account.own(home);
    List<String> command =
        List.of(
            BIN.resolve("initdb").toString(),
            "-D",
            home.resolve("data").toString(),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync");
    CommandResult result = run(command);
    if (!result.ok()) {
      throw new IllegalStateException(
          "initdb as " + account.name() + " failed: " + result.describe());
    }
  }

  /** The server reads them as its own account, and refuses a key that others may read. */
  private void installTls(Path certFile, Path keyFile) {
    try {
      Path cert = home.resolve("server.crt");
      Path key = home.resolve("server.key");
      Files.copy(certFile, cert);
      Files.copy(keyFile, key);
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      account.own(cert);
      account.own(key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install the TLS certificate and key", e);
    }
  }

  private CommandResult run(List<String> command) {
    if (!Files.isExecutable(Path.of(command.get(0)))) {
      throw new IllegalStateException(
          command.get(0)
              + " is missing: install the Debian package 'postgresql' (apt-get install"
              + " postgresql) and run the tests with "
              + RequiredTools.TEST_COMMAND);
    }
    return new ExternalCommand(dir.path(), Map.of()).run(account.wrap(command), READY_TIMEOUT);
  }

  private void launch() {
    List<String> command = new ArrayList<>();
    command.add(BIN.resolve("postgres").toString());
    command.addAll(
        List.of(
            "-D", home.resolve("data").toString(),
            "-p", Integer.toString(port),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=" + home,
            "-c", "max_connections=60",
            "-c", "shared_buffers=16MB",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off"));
    if (tls.isPresent()) {
      command.addAll(
          List.of(
              "-c", "ssl=on",
              "-c", "ssl_cert_file=" + home.resolve("server.crt"),
              "-c", "ssl_key_file=" + home.resolve("server.key")));
    }
    // in its own directory: the server's account may not enter the caller's
    process = ProcessLog.start(account.wrap(command), home, log);
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    List<String> probe =
        List.of(
            BIN.resolve("pg_isready").toString(),
            "-h",
            host(),
            "-p",
            Integer.toString(port),
            "-t",
            "1");
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "postgres exited with " + process.exitValue() + " before it was ready" + tail());
      }
      if (commands.run(probe, Duration.ofSeconds(5)).ok() && process.isAlive()) {
        return;
      }
      RegistryProbe.pause();
    }
    throw new IllegalStateException(
        "postgres did not accept connections on port "
            + port
            + " within "
            + READY_TIMEOUT
            + tail());
  }

  /** The last lines of the server's log, to end a failure message with. */
  public String tail() {
    return ProcessLog.tail(log);
  }

  static Path newestBin(Path root) {
    try (var majors = Files.list(root)) {
      return majors
          .filter(d -> d.getFileName().toString().matches("\\d+"))
          .filter(d -> Files.isExecutable(d.resolve("bin/postgres")))
          .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString())))
          .map(d -> d.resolve("bin"))
          .orElse(root.resolve("15/bin"));
    } catch (IOException e) {
      return root.resolve("15/bin"); // not installed: the first command says which package to add
    }
  }

  private static String randomHex() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** Runs if the JVM exits without close(), e.g. when a test's teardown threw first. */
  private void cleanUpAtExit() {
    stop();
    dir.close();
  }
}
