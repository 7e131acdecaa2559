package io.portcullis.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drives the {@code skopeo} CLI as a real registry client.
 *
 * <p>Every call runs with a private {@code HOME}, {@code TMPDIR}, XDG directories, registries.conf,
 * registries.d and auth file, so a test never picks up the machine's {@code ~/.docker} or {@code
 * /etc/containers} settings, and without a signature policy ({@code --insecure-policy}): trust is
 * what the gateway under test decides. {@code docker://} references must point at loopback, over
 * plain HTTP; any other host is refused so no test can reach the internet.
 *
 * <pre>{@code
 * try (Skopeo skopeo = Skopeo.builder().login(upstream.hostPort(), creds).build()) {
 *   skopeo.copy("oci:/tmp/layout:latest", upstream.ref("app:1")).orThrow();
 *   String manifest = skopeo.inspectRaw(upstream.ref("app:1")).orThrow().stdout();
 * }
 * }</pre>
 *
 * @see <a href="https://github.com/containers/skopeo/blob/main/docs/skopeo-copy.1.md">skopeo
 *     copy</a>
 */
public final class Skopeo implements AutoCloseable {
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");
  private static final Duration GRACE = Duration.ofSeconds(10);

  private final TempDirectory home;
  private final Path authFile;
  private final Credentials srcCreds;
  private final Credentials destCreds;
  private final Duration timeout;
  private final ExternalCommand runner;

  private Skopeo(Builder b) {
    this.home = TempDirectory.create("portcullis-skopeo-");
    this.srcCreds = b.srcCreds;
    this.destCreds = b.destCreds;
    this.timeout = b.timeout;
    this.authFile = home.resolve("auth.json");
    try {
      writeAuthFile(b.logins);
      Files.createDirectories(home.resolve("tmp"));
      Files.createDirectories(home.resolve("registries.d"));
      Files.writeString(home.resolve("registries.conf"), "unqualified-search-registries = []\n");
    } catch (IOException e) {
      home.close();
      throw new UncheckedIOException("cannot prepare skopeo's private home", e);
    }
    this.runner = new ExternalCommand(home.path(), environment());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A driver with no credentials and the default timeout. */
  public static Skopeo create() {
    return builder().build();
  }

  /** {@code skopeo copy [extraArgs] src dst}, e.g. with {@code "--all"} for an image index. */
  public CommandResult copy(String src, String dst, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("copy", "--authfile", authFile.toString()));
    if (srcCreds != null) {
      args.addAll(List.of("--src-creds", srcCreds.colonSeparated()));
    }
    if (destCreds != null) {
      args.addAll(List.of("--dest-creds", destCreds.colonSeparated()));
    }
    if (isRegistry(src)) {
      args.add("--src-tls-verify=false");
    }
    if (isRegistry(dst)) {
      args.add("--dest-tls-verify=false");
    }
    args.addAll(Arrays.asList(extraArgs));
    args.add(src);
    args.add(dst);
    return run(args);
  }

  /** {@code skopeo inspect --raw ref}: the manifest or index exactly as served. */
  public CommandResult inspectRaw(String ref, String... extraArgs) {
    return inspect(ref, concat(extraArgs, "--raw"));
  }

  /** {@code skopeo inspect ref}: skopeo's JSON summary; read it with {@link CommandResult#json}. */
  public CommandResult inspect(String ref, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("inspect", "--authfile", authFile.toString()));
    if (srcCreds != null) {
      args.addAll(List.of("--creds", srcCreds.colonSeparated()));
    }
    if (isRegistry(ref)) {
      args.add("--tls-verify=false");
    }
    args.addAll(Arrays.asList(extraArgs));
    args.add(ref);
    return run(args);
  }

  /** Runs any other skopeo subcommand with the private environment and global flags. */
  public CommandResult run(List<String> subcommandAndArgs) {
    List<String> command = new ArrayList<>();
    command.add("skopeo");
    command.add("--insecure-policy");
    command.addAll(List.of("--registries.d", home.resolve("registries.d").toString()));
    command.addAll(List.of("--tmpdir", home.resolve("tmp").toString()));
    command.addAll(List.of("--command-timeout", timeout.toSeconds() + "s"));
    command.addAll(subcommandAndArgs);
    return runner.run(command, timeout.plus(GRACE));
  }

  @Override
  public void close() {
    home.close();
  }

  /** True for a {@code docker://} reference; refuses any host but loopback. */
  static boolean isRegistry(String ref) {
    if (!ref.startsWith("docker://")) {
      return false;
    }
    String rest = ref.substring("docker://".length());
    String hostPort = rest.substring(0, Math.max(0, rest.indexOf('/')));
    String host =
        hostPort.startsWith("[")
            ? hostPort.substring(0, hostPort.indexOf(']') + 1)
            : hostPort.split(":", 2)[0];
    if (!LOOPBACK.contains(host)) {
      throw new IllegalArgumentException(
          "tests talk to loopback registries only, not '" + hostPort + "' in " + ref);
    }
    return true;
  }

  private Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", home.path().toString());
    env.put("TMPDIR", home.resolve("tmp").toString());
    env.put("XDG_RUNTIME_DIR", home.path().toString());
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
    env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
    env.put("DOCKER_CONFIG", home.resolve(".docker").toString());
    env.put("REGISTRY_AUTH_FILE", authFile.toString());
    env.put("CONTAINERS_REGISTRIES_CONF", home.resolve("registries.conf").toString());
    return env;
  }

  private void writeAuthFile(Map<String, Credentials> logins) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    ObjectNode auths = root.putObject("auths");
    logins.forEach((hostPort, c) -> auths.putObject(hostPort).put("auth", c.basicToken()));
    json.writeValue(authFile.toFile(), root);
  }

  private static String[] concat(String[] args, String extra) {
    String[] all = Arrays.copyOf(args, args.length + 1);
    all[args.length] = extra;
    return all;
  }

  /** Options for a {@link Skopeo} driver. */
  public static final class Builder {
    private final Map<String, Credentials> logins = new LinkedHashMap<>();
    private Credentials srcCreds;
    private Credentials destCreds;
    private Duration timeout = Duration.ofSeconds(120);

    private Builder() {}

    /** Stores credentials for {@code hostPort} in the private auth.json, as a login would. */
    public Builder login(String hostPort, Credentials credentials) {
      logins.put(hostPort, credentials);
      return this;
    }

    /** Passes {@code --src-creds} to copy and {@code --creds} to inspect. */
    public Builder srcCreds(Credentials credentials) {
      this.srcCreds = credentials;
      return this;
    }

    /** Passes {@code --dest-creds} to copy. */
    public Builder destCreds(Credentials credentials) {
      this.destCreds = credentials;
      return this;
    }

    /** The longest one skopeo call may take before it is killed; 120 s unless set. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Skopeo build() {
      return new Skopeo(this);
    }
  }
}
