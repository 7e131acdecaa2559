package io.portcullis.gateway.it;

import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.HaproxyProcess;
import io.portcullis.testkit.PostgresProcess;
import io.portcullis.testkit.Teardown;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * A fleet as {@code docker-compose.yml}'s {@code fleet} profile runs it, on loopback: one real
 * PostgreSQL holding the shared state, two gateway replicas (the packaged jar, each its own JVM,
 * data directory and cache) configured with {@code state}, and a real HAProxy running the shipped
 * {@code deploy/haproxy.cfg} in front of them ({@link FleetHaproxyConfig}: only addresses changed).
 * As in {@code deploy/gateway-fleet.yaml}, the replicas take their clients' addresses from
 * HAProxy's PROXY protocol header, so they are reached through HAProxy only: {@link #url()} as
 * clients do, {@link #replicaUrl(int)} to choose a replica. The upstream is the test's own (a
 * {@code RegistryProcess}, or a fault hop in front of one).
 *
 * <pre>{@code
 * try (RegistryProcess origin = RegistryProcess.start();
 *     Fleet fleet = Fleet.builder(dir).upstream(origin.url()).start()) {
 *   skopeo.copy(fleet.ref("team/app:1"), "oci:" + out + ":1").orThrow();
 *   fleet.replica(0).log(); // its access lines
 * }
 * }</pre>
 */
public final class Fleet implements AutoCloseable {
  /** As many as {@code deploy/haproxy.cfg} names ({@code gw1}, {@code gw2}). */
  static final int REPLICAS = 2;

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final int START_ATTEMPTS = 3;

  private final PostgresProcess postgres;
  private final List<GatewayProcess> replicas;
  private final List<FleetHaproxyConfig.Replica> ports;
  private final HaproxyProcess haproxy;

  private Fleet(
      PostgresProcess postgres,
      List<GatewayProcess> replicas,
      List<FleetHaproxyConfig.Replica> ports,
      HaproxyProcess haproxy) {
    this.postgres = postgres;
    this.replicas = replicas;
    this.ports = ports;
    this.haproxy = haproxy;
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** HAProxy's {@code 127.0.0.1:<port>}: where clients go. */
  public String hostPort() {
    return "127.0.0.1:" + haproxy.port("registry");
  }

  public String url() {
    return "http://" + hostPort();
  }

  /** A skopeo reference through HAProxy: {@code docker://127.0.0.1:<port>/<repoAndTag>}. */
  public String ref(String repoAndTag) {
    return "docker://" + hostPort() + "/" + repoAndTag;
  }

  /**
   * A way to replica {@code i} alone, for tests that must choose the replica (a pin taken through
   * one, read through the other): through HAProxy, which sends the PROXY protocol header the
   * replicas require ({@code server.proxyProtocol}); a plain client cannot reach them directly.
   */
  public String replicaUrl(int i) {
    return haproxy.url("direct-gw" + (i + 1));
  }

  /** Replica {@code i} (0-based; {@code gw<i+1>} in the HAProxy config). */
  public GatewayProcess replica(int i) {
    return replicas.get(i);
  }

  /**
   * Which replica (0-based) logged the access line of the request sent with {@code X-Request-Id:
   * requestId}, or -1 when none did within a few seconds (the line is written once the response has
   * ended, which the client may see a moment earlier).
   */
  public int replicaThatServed(String requestId) throws Exception {
    return replicaThatLogged(
        Pattern.compile(" id=" + Pattern.quote(requestId) + "(\\s|$)", Pattern.MULTILINE),
        Duration.ofSeconds(5));
  }

  /**
   * Which replica (0-based) has a log line matching {@code line}, looking again until {@code wait}
   * has passed; -1 when none has.
   */
  public int replicaThatLogged(Pattern line, Duration wait) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      for (int i = 0; i < replicas.size(); i++) {
        if (line.matcher(replicas.get(i).log()).find()) {
          return i;
        }
      }
      if (System.nanoTime() >= deadline) {
        return -1;
      }
      Thread.sleep(20);
    }
  }

  /** Replica {@code i}'s admin {@code /metrics} text. */
  public String metrics(int i) throws Exception {
    return Http.get("http://127.0.0.1:" + ports.get(i).adminPort() + "/metrics").body();
  }

  public PostgresProcess postgres() {
    return postgres;
  }

  public HaproxyProcess haproxy() {
    return haproxy;
  }

  /**
   * Waits until HAProxy counts every replica up in every backend (its health checks on {@code
   * /readyz}); fails with HAProxy's log otherwise.
   */
  public void awaitAllUp() throws Exception {
    String probe = haproxy.url("fleet-ready") + "/ready";
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = Http.get(probe);
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // HAProxy just started: poll again
      }
      Thread.sleep(50);
    }
    throw new AssertionError("HAProxy did not see every replica up" + haproxy.tail());
  }

  @Override
  public void close() throws Exception {
    closeAll(haproxy, replicas, postgres);
  }

  /** The load balancer first, so that no request reaches a replica being stopped. */
  private static void closeAll(
      HaproxyProcess haproxy, List<GatewayProcess> replicas, PostgresProcess postgres)
      throws Exception {
    List<AutoCloseable> all = new ArrayList<>();
    all.add(haproxy);
    all.addAll(replicas);
    all.add(postgres);
    Teardown.closeAll(all.toArray(AutoCloseable[]::new));
  }

  /** Collects the upstream and any extra YAML, then starts it all. */
  public static final class Builder {
    private final Path dir;
    private String upstreamUrl;
    private String extra = "";

    Builder(Path dir) {
      this.dir = dir;
    }

    /** The upstream every replica proxies (push allowed, tags revalidated on every request). */
    public Builder upstream(String url) {
      this.upstreamUrl = url;
      return this;
    }

    /** More top-level YAML for every replica (policy, audit, auth), appended as written. */
    public Builder extra(String yaml) {
      this.extra = this.extra + yaml;
      return this;
    }

    public Fleet start() throws Exception {
      if (upstreamUrl == null) {
        throw new IllegalStateException("Fleet.builder(dir).upstream(url) first");
      }
      PostgresProcess postgres = PostgresProcess.start();
      List<GatewayProcess> replicas = new ArrayList<>();
      HaproxyProcess haproxy = null;
      ExecutorService starting = Executors.newFixedThreadPool(REPLICAS);
      try {
        List<FleetHaproxyConfig.Replica> ports = new ArrayList<>();
        List<Future<Started>> started = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
          Path home = dir.resolve("replica-" + (i + 1));
          // together, as an orchestrator starts them: both migrate the schema at once
          started.add(starting.submit(() -> startOnFreePorts(home, postgres)));
        }
        Exception failed = null;
        for (Future<Started> f : started) {
          try {
            Started s = f.get(); // every one, so that none started is left running
            replicas.add(s.gateway());
            ports.add(s.ports());
          } catch (ExecutionException e) {
            failed = failed == null ? e : failed;
          }
        }
        if (failed != null) {
          throw failed;
        }
        haproxy =
            HaproxyProcess.start(
                FleetHaproxyConfig.forReplicas(ports)
                    + FleetHaproxyConfig.directFrontends(ports)
                    + FleetHaproxyConfig.readinessFrontend(REPLICAS));
        Fleet fleet = new Fleet(postgres, replicas, ports, haproxy);
        fleet.awaitAllUp();
        return fleet;
      } catch (Exception | AssertionError e) {
        closeAll(haproxy, replicas, postgres);
        throw e;
      } finally {
        starting.shutdownNow();
      }
    }

    /** A replica and the ports it listens on. */
    private record Started(GatewayProcess gateway, FleetHaproxyConfig.Replica ports) {}

    /**
     * Starts a replica on free ports, and on new ones when a port was taken between the probe and
     * the bind (another process's outgoing connection may get it: FreePorts says so).
     */
    private Started startOnFreePorts(Path home, PostgresProcess postgres) throws Exception {
      for (int attempt = 1; ; attempt++) {
        var p = new FleetHaproxyConfig.Replica(FreePorts.loopback(), FreePorts.loopback());
        String ready = "http://127.0.0.1:" + p.adminPort() + "/readyz";
        try {
          return new Started(startReplica(home, config(home, p, postgres), p.port(), ready), p);
        } catch (IllegalStateException e) {
          if (attempt == START_ATTEMPTS
              || !String.valueOf(e.getMessage()).contains("Address already in use")) {
            throw e;
          }
        }
      }
    }

    /**
     * Starts a replica, and again (as an orchestrator restarts it) when it exited because the
     * database did not answer in time: on a loaded machine a fresh PostgreSQL can be that slow.
     */
    private static GatewayProcess startReplica(Path home, String yaml, int port, String ready)
        throws Exception {
      for (int attempt = 1; ; attempt++) {
        try {
          return GatewayProcess.startReadyAt(home, yaml, port, ready);
        } catch (IllegalStateException e) {
          if (attempt == START_ATTEMPTS
              || !String.valueOf(e.getMessage()).contains("cannot open the shared state")) {
            throw e;
          }
        }
      }
    }

    private String config(Path home, FleetHaproxyConfig.Replica p, PostgresProcess postgres) {
      return """
          server: {host: 127.0.0.1, port: %d, proxyProtocol: true}
          dataDir: '%s'
          admin: {host: 127.0.0.1, port: %d}
          upstreams:
            - {name: internal, url: '%s', prefix: '', push: true, readTimeout: 30s, cache: {tagTtl: 0s}}
          state:
            postgres: {url: '%s', user: %s, passwordFile: '%s'}
          """
              .formatted(
                  p.port(),
                  home.resolve("data"),
                  p.adminPort(),
                  upstreamUrl,
                  postgres.url(),
                  PostgresProcess.USER,
                  postgres.passwordFile())
          + extra;
    }
  }
}
