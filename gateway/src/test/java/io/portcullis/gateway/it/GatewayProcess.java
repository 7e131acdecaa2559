package io.portcullis.gateway.it;

import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.ExternalCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged gateway jar run as its own JVM, as a user runs it, e.g. with {@code -Xmx128m} to
 * prove that blobs stream rather than sit in memory.
 */
public final class GatewayProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;
  private final String readyUrl;

  private GatewayProcess(Process process, int port, Path log, String readyUrl) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.readyUrl = readyUrl;
  }

  /** The jar built by {@code mvn package}; failsafe runs after it, so it is always there. */
  public static Path jar() {
    String root = System.getProperty("portcullis.projectRoot", "..");
    Path jar = Path.of(root, "gateway", "target", "portcullis-gateway.jar");
    if (!Files.isRegularFile(jar)) {
      jar = Path.of("target", "portcullis-gateway.jar");
    }
    return jar.toAbsolutePath();
  }

  /**
   * Runs the jar once to its end with {@code args}, a command such as {@code robot create}; its
   * output is captured in {@code scratch}. Fails when it has not ended within a minute.
   */
  public static CommandResult run(Path scratch, String... args) {
    return run(scratch, Map.of(), args);
  }

  /** As {@link #run(Path, String...)}, with more environment variables. */
  public static CommandResult run(Path scratch, Map<String, String> environment, String... args) {
    List<String> cmd = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    CommandResult r = new ExternalCommand(scratch, environment).run(cmd, Duration.ofSeconds(60));
    if (r.exitCode() == CommandResult.TIMED_OUT) {
      throw new AssertionError(r.describe());
    }
    return r;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts the jar with {@code configYaml} (its server.port must be {@code port}). */
  public static GatewayProcess start(Path dir, String configYaml, int port, String... jvmArgs)
      throws IOException, InterruptedException {
    return start(dir, configYaml, port, Map.of(), jvmArgs);
  }

  /** As {@link #start(Path, String, int, String...)}, with more environment variables. */
  public static GatewayProcess start(
      Path dir, String configYaml, int port, Map<String, String> environment, String... jvmArgs)
      throws IOException, InterruptedException {
    return start(dir, configYaml, port, null, environment, jvmArgs);
  }

  /**
   * As {@link #start(Path, String, int, String...)}, ready once {@code readyUrl} (the admin
   * listener's {@code /readyz}) answers 200: for a client listener that a plain HTTP client cannot
   * probe, one that expects a PROXY protocol header first ({@code server.proxyProtocol}).
   */
  public static GatewayProcess startReadyAt(Path dir, String configYaml, int port, String readyUrl)
      throws IOException, InterruptedException {
    return start(dir, configYaml, port, readyUrl, Map.of());
  }

  private static GatewayProcess start(
      Path dir,
      String configYaml,
      int port,
      String readyUrl,
      Map<String, String> environment,
      String... jvmArgs)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path config = Files.writeString(dir.resolve("gateway.yaml"), configYaml);
    Path log = dir.resolve("gateway.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(List.of(jvmArgs));
    cmd.addAll(List.of("-jar", jar().toString(), "--config", config.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process p = builder.start();
    GatewayProcess gp = new GatewayProcess(p, port, log, readyUrl);
    try {
      gp.awaitReady();
    } catch (IOException | InterruptedException | RuntimeException e) {
      // A gateway that missed the deadline may still come up later: no caller holds it to stop.
      p.destroyForcibly();
      throw e;
    }
    return gp;
  }

  /** The jar, on a free port, with one default-route upstream: the registry behind it. */
  public static GatewayProcess inFrontOf(Path dir, String upstreamUrl, String... jvmArgs)
      throws IOException, InterruptedException {
    return inFrontOfWith(dir, upstreamUrl, "", jvmArgs);
  }

  /**
   * As {@link #inFrontOf}, with more top-level YAML ({@code policy}, {@code audit}) appended to its
   * config as written.
   */
  public static GatewayProcess inFrontOfWith(
      Path dir, String upstreamUrl, String moreYaml, String... jvmArgs)
      throws IOException, InterruptedException {
    int port = io.portcullis.testkit.FreePorts.loopback();
    String config =
        """
        server: {host: 127.0.0.1, port: %d}
        dataDir: %s
        upstreams:
          - {name: internal, url: '%s', prefix: ''}
        """
            .formatted(port, dir.resolve("data"), upstreamUrl);
    return start(dir, config + moreYaml, port, jvmArgs);
  }

  private void awaitReady() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("gateway exited: " + Files.readString(log));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(readyUrl != null ? readyUrl : url() + "/v2/"))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        // 200 on an open gateway, 401 (a challenge) with access control: either way it serves.
        if (r.statusCode() == 200 || (r.statusCode() == 401 && readyUrl == null)) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet: poll again shortly
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("gateway not ready after 60s: " + Files.readString(log));
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The process id, for {@code jcmd}. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGTERM, as {@code docker stop} does; the gateway then shuts down gracefully. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to exit; true when it did within {@code timeout}. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  /** Kills the process at once (SIGKILL): no shutdown hook, no cleanup, as in a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
