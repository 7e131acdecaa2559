package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives Debian's {@code podman} as a real registry client: login, pull, tag, push.
 *
 * <p>Every call runs as root in a private mount namespace ({@code unshare --mount}) where {@code
 * /etc/containers}, {@code /var/lib}, {@code /var/cache} and {@code /dev/shm} are the driver's own
 * directories, with its own vfs storage, run root, auth file, the {@code registries.conf} the test
 * gives and the CA certificates it trusts ({@code certs.d}). Command-line flags alone do not keep
 * podman 4.3 off the host: as root it writes its blob-info cache to {@code
 * /var/lib/containers/cache}, its short-name alias cache to {@code /var/cache/containers}, its
 * locks to {@code /dev/shm} and reads drop-ins from {@code /etc/containers/registries.conf.d}
 * whatever {@code --root} and {@code CONTAINERS_REGISTRIES_CONF} say. So the host's container
 * storage and configuration are never read or written.
 *
 * <p>Every {@code location} in the registries.conf, and every fully qualified reference, must be a
 * loopback address: no test reaches the internet. Passwords reach podman on standard input, never
 * in its arguments.
 *
 * @see <a href="https://docs.podman.io/en/v4.3/markdown/podman.1.html">podman(1)</a>
 */
public final class Podman implements AutoCloseable {
  /** The {@code User-Agent} prefix of podman's registry requests (containers/image). */
  public static final String USER_AGENT = "containers/";

  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");
  private static final Pattern LOCATION = Pattern.compile("(?m)^\\s*location\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern PREFIX = Pattern.compile("(?m)^\\s*prefix\\s*=\\s*\"([^\"]*)\"");
  private static final Duration GRACE = Duration.ofSeconds(10);

  /**
   * Replaces the host's directories with the driver's, then runs podman. {@code mount -n} keeps
   * {@code /run/mount/utab} on the host untouched too.
   */
  private static final String PRIVATE_MOUNTS =
      """
      set -e
      if [ -d /etc/containers ]; then mount -n --bind "$PODMAN_HOME/etc" /etc/containers; fi
      mount -n --bind "$PODMAN_HOME/var-lib" /var/lib
      mount -n --bind "$PODMAN_HOME/var-cache" /var/cache
      mount -n -t tmpfs -o mode=1777,size=64m portcullis-podman-shm /dev/shm
      exec "$@"
      """;

  private final TempDirectory home;
  private final Set<String> rewrittenPrefixes;
  private final Duration timeout;
  private final ExternalCommand runner;

  private Podman(Builder b) {
    checkLoopbackOnly(b.registriesConf);
    // A short name: podman refuses a run root path over 50 characters.
    this.home = TempDirectory.create("podman-");
    this.timeout = b.timeout;
    this.rewrittenPrefixes = prefixes(b.registriesConf);
    try {
      Path etc = Files.createDirectories(home.resolve("etc"));
      for (String d : List.of("var-lib", "var-cache", "tmp", "root", "run", "networks")) {
        Files.createDirectories(home.resolve(d));
      }
      Files.writeString(home.resolve("enter.sh"), PRIVATE_MOUNTS);
      for (Map.Entry<String, Path> ca : b.trust.entrySet()) {
        Path certs = Files.createDirectories(etc.resolve("certs.d").resolve(ca.getKey()));
        Files.copy(ca.getValue(), certs.resolve("ca.crt"));
      }
      Files.createDirectories(etc.resolve("registries.conf.d"));
      Files.createDirectories(etc.resolve("registries.d"));
      Files.writeString(etc.resolve("registries.conf"), b.registriesConf);
      // Trust is what the gateway under test decides, not a client-side signature policy.
      Files.writeString(
          etc.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
      Files.writeString(
          etc.resolve("storage.conf"),
          "[storage]\ndriver = \"vfs\"\nrunroot = \"%s\"\ngraphroot = \"%s\"\n"
              .formatted(home.resolve("run"), home.resolve("root")));
      Files.writeString(
          etc.resolve("containers.conf"),
          "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n"
              + "[network]\nnetwork_config_dir = \"%s\"\n".formatted(home.resolve("networks")));
    } catch (IOException e) {
      home.close();
      throw new UncheckedIOException("cannot prepare podman's private home", e);
    }
    this.runner = new ExternalCommand(home.path(), environment());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Why podman cannot be driven here, or empty when it can: it needs root, for its root storage and
   * the private mount namespace. Missing programs are {@link RequiredTools}' to report: {@code
   * podman}, {@code unshare} and {@code mount}.
   */
  public static Optional<String> unavailable() {
    if (!isRoot()) {
      return Optional.of(
          "podman runs as root here (private mount namespace, root storage); CI runs "
              + RequiredTools.TEST_COMMAND
              + " as root");
    }
    return Optional.empty();
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** {@code podman login HOST:PORT --username USER --password-stdin}. */
  public CommandResult login(String hostPort, Credentials credentials) {
    checkRegistry(hostPort + "/x");
    Path secret = home.resolve("login-secret");
    try {
      Files.writeString(
          Files.createFile(
              secret,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
          credentials.password());
      return runner.run(
          command(
              List.of(
                  "login",
                  "--authfile",
                  authFile().toString(),
                  "--username",
                  credentials.username(),
                  "--password-stdin",
                  hostPort)),
          timeout.plus(GRACE),
          secret);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hand podman the password", e);
    } finally {
      try {
        Files.deleteIfExists(secret);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + secret, e);
      }
    }
  }

  /** {@code podman pull REF}: a short name, a rewritten registry's name, or a loopback one. */
  public CommandResult pull(String ref) {
    checkRegistry(ref);
    return run(List.of("pull", "--authfile", authFile().toString(), ref));
  }

  /**
   * {@code podman push IMAGE DESTINATION}; pushes are never rewritten, so DESTINATION is loopback.
   */
  public CommandResult push(String image, String destination) {
    checkLoopback(destination);
    return run(List.of("push", "--authfile", authFile().toString(), image, destination));
  }

  /** {@code podman tag IMAGE NAME}. */
  public CommandResult tag(String image, String name) {
    return run(List.of("tag", image, name));
  }

  /** {@code podman image inspect --format FORMAT IMAGE}, e.g. {@code {{.Digest}}}. */
  public CommandResult inspect(String image, String format) {
    return run(List.of("image", "inspect", "--format", format, image));
  }

  /** Runs any other podman subcommand with the private environment and global flags. */
  public CommandResult run(List<String> subcommandAndArgs) {
    return runner.run(command(subcommandAndArgs), timeout.plus(GRACE));
  }

  @Override
  public void close() {
    home.close();
  }

  private List<String> command(List<String> subcommandAndArgs) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                home.resolve("enter.sh").toString(),
                "podman",
                "--root",
                home.resolve("root").toString(),
                "--runroot",
                home.resolve("run").toString(),
                "--storage-driver",
                "vfs",
                "--tmpdir",
                home.resolve("tmp").toString()));
    command.addAll(subcommandAndArgs);
    return command;
  }

  private Path authFile() {
    return home.resolve("auth.json");
  }

  private Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PODMAN_HOME", home.path().toString());
    env.put("HOME", home.path().toString());
    env.put("TMPDIR", home.resolve("tmp").toString());
    env.put("XDG_RUNTIME_DIR", home.path().toString());
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
    env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
    env.put("DOCKER_CONFIG", home.resolve(".docker").toString());
    env.put("REGISTRY_AUTH_FILE", authFile().toString());
    Path etc = home.resolve("etc");
    env.put("CONTAINERS_REGISTRIES_CONF", etc.resolve("registries.conf").toString());
    env.put("CONTAINERS_STORAGE_CONF", etc.resolve("storage.conf").toString());
    env.put("CONTAINERS_CONF", etc.resolve("containers.conf").toString());
    // No proxy: every registry a test names is on loopback.
    for (String proxy : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
      env.put(proxy, "");
    }
    return env;
  }

  /** A reference podman resolves through the registries.conf, or one on loopback. */
  private void checkRegistry(String ref) {
    int slash = ref.indexOf('/');
    String first = slash < 0 ? "" : ref.substring(0, slash);
    boolean qualified = first.contains(".") || first.contains(":") || first.equals("localhost");
    if (qualified && !rewrittenPrefixes.contains(first)) {
      checkLoopback(ref);
    }
  }

  private static void checkLoopback(String ref) {
    String hostPort = ref.substring(0, Math.max(0, ref.indexOf('/')));
    String host =
        hostPort.startsWith("[")
            ? hostPort.substring(0, hostPort.indexOf(']') + 1)
            : hostPort.split(":", 2)[0];
    if (!LOOPBACK.contains(host)) {
      throw new IllegalArgumentException(
          "tests talk to loopback registries only, not '" + hostPort + "' in " + ref);
    }
  }

  /**
   * Where each {@code [[registry]]} and {@code [[registry.mirror]]} table sends podman: its {@code
   * location}, or its {@code prefix} when it has none.
   */
  private static List<String> endpoints(String registriesConf) {
    List<String> endpoints = new ArrayList<>();
    for (String table : registriesConf.split("(?m)^\\s*\\[\\[")) {
      Matcher location = LOCATION.matcher(table);
      Matcher prefix = PREFIX.matcher(table);
      if (location.find()) {
        endpoints.add(location.group(1));
      } else if (prefix.find()) {
        endpoints.add(prefix.group(1));
      }
    }
    return endpoints;
  }

  private static void checkLoopbackOnly(String registriesConf) {
    for (String endpoint : endpoints(registriesConf)) {
      checkLoopback(endpoint.contains("/") ? endpoint : endpoint + "/");
    }
  }

  private static Set<String> prefixes(String registriesConf) {
    Set<String> prefixes = new HashSet<>();
    Matcher m = PREFIX.matcher(registriesConf);
    while (m.find()) {
      prefixes.add(m.group(1));
    }
    return Set.copyOf(prefixes);
  }

  /** Options for a {@link Podman} driver. */
  public static final class Builder {
    private String registriesConf = "unqualified-search-registries = []\n";
    private final Map<String, Path> trust = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(120);

    private Builder() {}

    /**
     * Trusts the CA certificate {@code caCert} for the registry at {@code hostPort}, as an operator
     * does by copying it to {@code /etc/containers/certs.d/HOST:PORT/ca.crt}.
     */
    public Builder trust(String hostPort, Path caCert) {
      trust.put(hostPort, caCert);
      return this;
    }

    /**
     * The registries.conf podman reads (and nothing from {@code /etc/containers}); its {@code
     * location}s must all be loopback addresses.
     */
    public Builder registriesConf(String content) {
      this.registriesConf = content;
      return this;
    }

    /** The longest one podman call may take before it is killed; 120 s unless set. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Podman build() {
      return new Podman(this);
    }
  }
}
