package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A real CNCF distribution 2.8 registry ({@code docker-registry serve}) on a free loopback port,
 * with its own temporary filesystem storage, for integration tests to use as an upstream.
 *
 * <p>Requests are counted from the registry's access log, so a test can assert what reached the
 * upstream. Each instance owns its port, directory and process; instances are independent and may
 * be used from concurrently running test classes.
 *
 * <pre>{@code
 * try (RegistryProcess upstream = RegistryProcess.builder().basicAuth("alice", "pw").start()) {
 *   skopeo.copy(layout.ref(), upstream.ref("library/app:1")).orThrow();
 *   assertEquals(3, upstream.count("GET", "/v2/library/app/blobs/.*"));
 * }
 * }</pre>
 *
 * @see <a href="https://distribution.github.io/distribution/spec/api/">Registry HTTP API V2</a>
 */
public final class RegistryProcess implements AutoCloseable {
  private static final String BINARY = "docker-registry";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

  private final TempDirectory dir;
  private final Credentials credentials;
  private final String proxyRemoteUrl;
  private final TokenAuth tokenAuth;
  private final RegistryProbe probe;
  private final AccessLog accessLog;
  private final Thread shutdownHook = new Thread(this::cleanUpAtExit, "registry-shutdown");
  private volatile int port;
  private Process process;

  private RegistryProcess(Builder options) {
    this.credentials = options.credentials;
    this.proxyRemoteUrl = options.proxyRemoteUrl;
    this.tokenAuth = options.tokenAuth;
    this.dir = TempDirectory.create("portcullis-registry-");
    this.accessLog = new AccessLog(dir.resolve("access.log"));
    this.probe = new RegistryProbe(accessLog);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts a plain registry: no auth, no proxy. */
  public static RegistryProcess start() {
    return builder().start();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://" + hostPort();
  }

  /** The registry's process id (benchmarks read its CPU time from {@code /proc}). */
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("docker-registry is not running");
    }
    return process.pid();
  }

  /** {@code 127.0.0.1:<port>}, the registry part of an image reference. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** A skopeo reference into this registry: {@code docker://127.0.0.1:<port>/<repoAndTag>}. */
  public String ref(String repoAndTag) {
    return "docker://" + hostPort() + "/" + repoAndTag;
  }

  /** The Basic auth user this registry requires, if any. */
  public Optional<Credentials> credentials() {
    return Optional.ofNullable(credentials);
  }

  /** The filesystem driver's root, for tests that damage storage on purpose. */
  public Path storage() {
    return dir.resolve("storage");
  }

  /** The registry's own log (stderr and its per-request lines). */
  public Path logFile() {
    return dir.resolve("registry.log");
  }

  /**
   * Every request the registry has answered so far, oldest first, including those whose log line
   * was still being written when the client saw the response.
   */
  public List<RegistryRequest> requests() {
    return requestsFrom("");
  }

  /**
   * The requests so far whose {@code User-Agent} starts with {@code userAgentPrefix}, e.g. {@link
   * Podman#USER_AGENT}: whether a client reached this registry itself rather than through the
   * gateway ({@code portcullis/...}) in front of it.
   */
  public List<RegistryRequest> requestsFrom(String userAgentPrefix) {
    if (isRunning()) {
      probe.awaitLogCaughtUp(url());
    }
    return accessLog.requests(userAgentPrefix);
  }

  /** How many requests so far had this method and a path that matches {@code pathRegex} fully. */
  public long count(String method, String pathRegex) {
    Pattern path = Pattern.compile(pathRegex);
    return requests().stream()
        .filter(r -> r.method().equals(method) && path.matcher(r.path()).matches())
        .count();
  }

  /** How many blob downloads ({@code GET /v2/<name>/blobs/<digest>}) there were so far. */
  public long blobGets() {
    return requests().stream().filter(RegistryRequest::isBlobGet).count();
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Stops the process but keeps port and storage, for tests of an upstream outage; {@link #up()}
   * brings it back.
   */
  public synchronized void down() {
    if (process != null) {
      ProcessTrees.kill(process);
      process = null;
    }
  }

  /** Starts the process again after {@link #down()}, on the same port with the same storage. */
  public synchronized void up() {
    if (isRunning()) {
      return;
    }
    launch();
    awaitReady();
  }

  /** Stops and starts again on the same port with the same storage. */
  public synchronized void restart() {
    down();
    up();
  }

  /** Stops the process and deletes its storage and logs. */
  public synchronized void stop() {
    down();
    ProcessLog.removeShutdownHook(shutdownHook);
    dir.close();
  }

  @Override
  public void close() {
    stop();
  }

  private synchronized RegistryProcess startFresh() {
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      Optional<Path> htpasswd = prepareFiles();
      ProcessLog.startOnFreePorts(
          () -> {
            port = FreePorts.loopback();
            new RegistryConfig(
                    port,
                    storage(),
                    htpasswd,
                    Optional.ofNullable(proxyRemoteUrl),
                    Optional.ofNullable(tokenAuth))
                .write(configFile());
            launch();
            awaitReady();
          },
          logFile(),
          "address already in use",
          this::down);
      return this;
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  private Optional<Path> prepareFiles() {
    try {
      Files.createDirectories(storage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + storage(), e);
    }
    if (credentials == null) {
      return Optional.empty();
    }
    Path htpasswd = dir.resolve("htpasswd");
    Htpasswd.write(htpasswd, credentials);
    return Optional.of(htpasswd);
  }

  private Path configFile() {
    return dir.resolve("config.yml");
  }

  private void launch() {
    ProcessBuilder builder = new ProcessBuilder(BINARY, "serve", configFile().toString());
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("access.log").toFile()));
    builder.redirectError(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run " + BINARY + ": " + RequiredTools.missingMessage(BINARY), e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "docker-registry exited with " + process.exitValue() + " before it was ready" + tail());
      }
      // alive after the answer: a registry that lost the race for its port exits, and the
      // answer then came from whoever holds the port
      if (probe.answers(url(), "ready") && process.isAlive()) {
        return;
      }
      RegistryProbe.pause();
    }
    throw new IllegalStateException(
        "docker-registry did not answer on " + url() + " within " + READY_TIMEOUT + tail());
  }

  /** The last lines of the registry's log, to end a failure message with. */
  public String tail() {
    return ProcessLog.tail(logFile());
  }

  /** Runs if the JVM exits without stop(), e.g. when a test's teardown threw first. */
  private void cleanUpAtExit() {
    down();
    dir.close();
  }

  /**
   * Distribution's {@code auth: token}: clients must bring a JWT from {@code realm}, signed by a
   * key whose certificate chains to {@code rootCertBundle}, for audience {@code service}.
   */
  public record TokenAuth(String realm, String service, String issuer, Path rootCertBundle) {}

  /** Options for a {@link RegistryProcess}; {@link #start()} launches it and waits until ready. */
  public static final class Builder {
    private Credentials credentials;
    private String proxyRemoteUrl;
    private TokenAuth tokenAuth;

    /** Requires bearer tokens from a registry token service (the Docker token protocol). */
    public Builder tokenAuth(TokenAuth auth) {
      this.tokenAuth = auth;
      return this;
    }

    private Builder() {}

    /** Requires HTTP Basic auth for this user (htpasswd with bcrypt). */
    public Builder basicAuth(String username, String password) {
      this.credentials = new Credentials(username, password);
      return this;
    }

    /**
     * Runs as a pull-through cache of {@code remoteUrl}. The registry contacts the remote while
     * starting and refuses to start when it is unreachable. The remote must allow anonymous pulls:
     * distribution 2.8 sends proxy credentials only to token-auth remotes, never to Basic ones.
     */
    public Builder proxy(String remoteUrl) {
      this.proxyRemoteUrl = remoteUrl;
      return this;
    }

    /** Starts the registry and returns once it answers {@code GET /v2/}. */
    public RegistryProcess start() {
      return new RegistryProcess(this).startFresh();
    }
  }
}
