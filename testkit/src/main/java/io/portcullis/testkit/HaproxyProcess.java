package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HAProxy (Debian's {@code haproxy} 2.6) in front of processes a test started, from a
 * configuration text the test writes: each {@code ${port:NAME}} in it becomes a free loopback port
 * (one per name, the same wherever the name recurs) that HAProxy listens on; {@link #port(String)}
 * tells which. The configuration is checked with {@code haproxy -c} first, so a mistake fails with
 * HAProxy's own message; the process runs in the foreground ({@code -db}) and is ready when every
 * such port accepts connections. Closing stops it and removes its directory.
 *
 * <pre>{@code
 * try (HaproxyProcess lb = HaproxyProcess.start("""
 *     defaults
 *       mode http
 *       timeout connect 2s
 *       timeout client 30s
 *       timeout server 30s
 *     frontend registry
 *       bind 127.0.0.1:${port:http}
 *       default_backend replicas
 *     backend replicas
 *       balance uri
 *       option httpchk GET /readyz
 *       server a %s check inter 200ms
 *       server b %s check inter 200ms
 *     """.formatted(a.hostPort(), b.hostPort()))) {
 *   skopeo.copy(image, "docker://127.0.0.1:" + lb.port("http") + "/team/app:1");
 * }
 * }</pre>
 */
public final class HaproxyProcess implements AutoCloseable {
  private static final String BINARY = "haproxy";
  private static final Pattern PORT = Pattern.compile("\\$\\{port:([A-Za-z0-9_-]+)}");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);

  private final LocalServer server = new LocalServer(BINARY, "haproxy", "haproxy.log");
  private final String template;
  private Map<String, Integer> ports = Map.of();

  private HaproxyProcess(String template) {
    this.template = template;
  }

  /** Starts HAProxy with {@code config}, its {@code ${port:NAME}}s replaced by free ports. */
  public static HaproxyProcess start(String config) {
    return new HaproxyProcess(config).startFresh();
  }

  /** The loopback port that {@code ${port:name}} became. */
  public int port(String name) {
    Integer port = ports.get(name);
    if (port == null) {
      throw new IllegalArgumentException("the config has no ${port:" + name + "}");
    }
    return port;
  }

  /** {@code http://127.0.0.1:<port(name)>}. */
  public String url(String name) {
    return "http://127.0.0.1:" + port(name);
  }

  /** The configuration as HAProxy read it. */
  public Path configFile() {
    return server.dir.resolve("haproxy.cfg");
  }

  public boolean isRunning() {
    return server.isRunning();
  }

  @Override
  public void close() {
    server.close();
  }

  private synchronized HaproxyProcess startFresh() {
    server.requireInstalled();
    try {
      ProcessLog.startOnFreePorts(
          () -> {
            writeConfig();
            check();
            launch();
            awaitReady();
          },
          server.log,
          "cannot bind",
          server::kill);
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void writeConfig() {
    Map<String, Integer> chosen = new LinkedHashMap<>();
    Matcher m = PORT.matcher(template);
    StringBuilder text = new StringBuilder();
    while (m.find()) {
      int port = chosen.computeIfAbsent(m.group(1), name -> FreePorts.loopback());
      m.appendReplacement(text, Integer.toString(port));
    }
    m.appendTail(text);
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("the config has no ${port:NAME} for HAProxy to listen on");
    }
    ports = Map.copyOf(chosen);
    try {
      Files.writeString(configFile(), text.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile(), e);
    }
  }

  private void check() {
    CommandResult result =
        new ExternalCommand(server.dir.path(), Map.of())
            .run(List.of(BINARY, "-c", "-f", configFile().toString()), Duration.ofSeconds(30));
    if (!result.ok()) {
      throw new IllegalArgumentException(
          "haproxy refuses the config: " + result.stdout().strip() + " " + result.stderr().strip());
    }
  }

  private void launch() {
    server.launch("-db", "-f", configFile().toString());
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.process().isAlive()) {
        throw new IllegalStateException(
            "haproxy exited with "
                + server.process().exitValue()
                + " before it was ready"
                + tail());
      }
      if (ports.values().stream().allMatch(HaproxyProcess::accepts) && server.isRunning()) {
        return;
      }
      RegistryProbe.pause();
    }
    throw new IllegalStateException(
        "haproxy did not listen on " + ports + " within " + READY_TIMEOUT + tail());
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Everything HAProxy has written so far: its messages and, with {@code log stdout}, its log. */
  public String log() {
    try {
      return Files.exists(server.log) ? Files.readString(server.log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + server.log, e);
    }
  }

  /** The last lines of HAProxy's output, to end a failure message with. */
  public String tail() {
    return server.tail();
  }
}
