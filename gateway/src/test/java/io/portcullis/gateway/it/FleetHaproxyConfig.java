package io.portcullis.gateway.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped {@code deploy/haproxy.cfg} made to run on loopback in front of replicas a test
 * started, changing only where things are, never how requests are routed or checked: each {@code
 * bind} of frontend {@code NAME} becomes {@code bind 127.0.0.1:${port:NAME}} (a free port, see
 * {@link io.portcullis.testkit.HaproxyProcess}); server {@code gwN} gets the N-th replica's address
 * and its admin port as the check {@code port}; and the TLS options (certificate paths of the
 * container) are dropped, since the test replicas speak plain HTTP. Everything else (ACLs, balance
 * algorithms, hash types, timeouts, retries, health checks) is the file as shipped.
 */
final class FleetHaproxyConfig {
  /** The repository's {@code deploy/} directory, where the shipped file is read. */
  static final Path DEPLOY = Path.of(System.getProperty("user.dir")).resolveSibling("deploy");

  /** A replica's client and admin ports. */
  record Replica(int port, int adminPort) {}

  private static final Pattern SECTION = Pattern.compile("^(frontend|backend|listen)\\s+(\\S+)");
  private static final Pattern SERVER = Pattern.compile("^(\\s*server\\s+gw(\\d+)\\s+)\\S+(.*)$");
  private static final Pattern CHECK_PORT = Pattern.compile("\\bport \\d+");
  private static final Set<String> TLS_FLAGS = Set.of("ssl");
  private static final Set<String> TLS_OPTIONS = Set.of("verify", "ca-file", "verifyhost", "sni");

  private FleetHaproxyConfig() {}

  /** {@code deploy/haproxy.cfg} for these replicas, in order {@code gw1, gw2, ...}. */
  static String forReplicas(List<Replica> replicas) {
    try {
      return rewrite(Files.readString(DEPLOY.resolve("haproxy.cfg")), replicas);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read deploy/haproxy.cfg", e);
    }
  }

  static String rewrite(String shipped, List<Replica> replicas) {
    StringBuilder out = new StringBuilder();
    String section = "";
    for (String line : shipped.split("\n", -1)) {
      Matcher s = SECTION.matcher(line);
      if (s.find()) {
        section = s.group(2);
      }
      String trimmed = line.strip();
      if (trimmed.startsWith("bind ")) {
        line = "  bind 127.0.0.1:${port:" + section + "}";
      } else if (trimmed.startsWith("default-server ")) {
        line = withoutTls(line);
      } else {
        Matcher m = SERVER.matcher(line);
        if (m.matches()) {
          line = server(m, replicas);
        }
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static String server(Matcher m, List<Replica> replicas) {
    int n = Integer.parseInt(m.group(2));
    if (n < 1 || n > replicas.size()) {
      throw new IllegalArgumentException(
          "deploy/haproxy.cfg names server gw" + n + " but the fleet has " + replicas.size());
    }
    Replica r = replicas.get(n - 1);
    String options = CHECK_PORT.matcher(m.group(3)).replaceAll("port " + r.adminPort());
    return withoutTls(m.group(1) + "127.0.0.1:" + r.port() + options);
  }

  private static String withoutTls(String line) {
    String indent = line.substring(0, line.length() - line.stripLeading().length());
    String[] words = line.strip().split("\\s+");
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < words.length; i++) {
      if (TLS_OPTIONS.contains(words[i])) {
        i++; // and its argument
      } else if (!TLS_FLAGS.contains(words[i])) {
        kept.add(words[i]);
      }
    }
    return indent + String.join(" ", kept);
  }

  /**
   * A frontend and backend per replica that the fixture adds, {@code direct-gwN} on {@code
   * ${port:direct-gwN}}: a way to one replica for tests that must choose it, sending the PROXY
   * header as the shipped backends do (the replicas accept nothing else).
   */
  static String directFrontends(List<Replica> replicas) {
    StringBuilder out = new StringBuilder();
    for (int n = 1; n <= replicas.size(); n++) {
      out.append(
          """
          frontend direct-gw%1$d
            bind 127.0.0.1:${port:direct-gw%1$d}
            default_backend direct-gw%1$d
          backend direct-gw%1$d
            server gw%1$d 127.0.0.1:%2$d track blobs/gw%1$d
          """
              .formatted(n, replicas.get(n - 1).port()));
    }
    return out.toString();
  }

  /** A frontend the fixture adds: 200 on {@code /ready} once HAProxy counts every server up. */
  static String readinessFrontend(int servers) {
    return """
        frontend fleet-ready
          bind 127.0.0.1:${port:fleet-ready}
          monitor-uri /ready
          monitor fail if { nbsrv(blobs) lt %d } || { nbsrv(spread) lt %d }
        """
        .formatted(servers, servers);
  }
}
