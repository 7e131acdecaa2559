package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portcullis.gateway.deploy.ImageRuntime;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ExternalCommand;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TempDirectory;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The compose stack as {@code docker compose up} would run it, short of the image build: there is
 * no Docker daemon here, and the base images cannot be pulled. Both services run from what {@code
 * docker-compose.yml}, the {@code Dockerfile}'s runtime stage and {@code deploy/gateway.yaml} say,
 * read from those files: user, read-only root, no capabilities, no-new-privileges, memory/CPU/pids
 * limits, volumes, tmpfs, configs and secrets mounted as files, environment, command, entrypoint,
 * working directory. Each has a network namespace of its own joined by a link, as compose's backend
 * network; the client talks to the gateway's published port from the gateway's side. The secrets
 * and the dev PKI come from {@code scripts/compose-prepare.sh}, as the README tells a user. See
 * {@link Container} for how a service is run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT =
      Path.of(System.getProperty("portcullis.projectRoot", "..")).toAbsolutePath().normalize();
  private static final String GATEWAY_IP = "10.87.0.1";
  private static final String REGISTRY_IP = "10.87.0.2";
  private static final Duration READY = Duration.ofSeconds(90);

  /** The registry:2 image's own configuration file (the Debian package's differs). */
  private static final String REGISTRY_IMAGE_CONFIG =
      """
      version: 0.1
      log:
        fields:
          service: registry
      storage:
        cache:
          blobdescriptor: inmemory
        filesystem:
          rootdirectory: /var/lib/registry
      http:
        addr: :5000
        headers:
          X-Content-Type-Options: [nosniff]
      health:
        storagedriver:
          enabled: true
          interval: 10s
          threshold: 3
      """;

  private final String id = Long.toString(ProcessHandle.current().pid(), 36);
  private final String gatewayNs = "pc-gw-" + id;
  private final String registryNs = "pc-reg-" + id;
  private TempDirectory work;
  private Path project;
  private JsonNode compose;
  private ImageRuntime image;
  private Container.Spec gatewaySpec;
  private Container registry;
  private Container gateway;
  private String ciPassword;
  private String upstreamPassword;

  @BeforeAll
  void upTheStack() throws Exception {
    boolean root = "0".equals(run(Duration.ofSeconds(5), "id", "-u").strip());
    if (!root) {
      String why = "ComposeStackIT builds containers from namespaces and cgroups, which needs root";
      if ("true".equals(System.getenv("CI"))) {
        fail(why + "; CI runs scripts/test.sh as root");
      }
      Assumptions.abort(why);
    }
    RequiredTools.check(
        "ip", "nsenter", "unshare", "setpriv", "curl", "docker-registry", "skopeo", "umoci");
    work = TempDirectory.create("portcullis-compose-");
    project = Files.createDirectories(work.resolve("project"));
    Files.copy(ROOT.resolve("docker-compose.yml"), project.resolve("docker-compose.yml"));
    Files.createDirectories(project.resolve("deploy"));
    Files.copy(ROOT.resolve("deploy/gateway.yaml"), project.resolve("deploy/gateway.yaml"));
    copyTree(ROOT.resolve("trust-policies"), project.resolve("trust-policies"));
    String prepared =
        run(
            Duration.ofSeconds(120),
            ROOT.resolve("scripts/compose-prepare.sh").toString(),
            "--dir",
            project.toString());
    assertTrue(prepared.contains("docker compose up"), prepared);
    ciPassword = Files.readString(project.resolve("deploy/secrets/ci-password")).strip();
    upstreamPassword =
        Files.readString(project.resolve("deploy/secrets/upstream-credentials"))
            .strip()
            .split(":", 2)[1];

    compose = YAML.readTree(project.resolve("docker-compose.yml").toFile());
    image = ImageRuntime.read(ROOT.resolve("Dockerfile"));
    networks();

    Files.writeString(work.resolve("registry-config.yml"), REGISTRY_IMAGE_CONFIG);
    Container.Spec registrySpec =
        spec(
            "registry",
            registryNs,
            "/",
            List.of("/usr/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"),
            Map.of(),
            List.of(
                new Container.Mount(
                    work.resolve("registry-config.yml"), "/etc/docker/registry/config.yml", true)),
            Map.of());
    registry = Container.start(registrySpec, work.path());
    awaitHttp(registry, registryNs, "http://127.0.0.1:5000/v2/", "401");

    List<String> argv = new ArrayList<>(image.entrypoint());
    JsonNode command = service("gateway").path("command");
    command.forEach(a -> argv.add(a.asText()));
    if (command.isMissingNode()) {
      argv.addAll(image.cmd());
    }
    gatewaySpec =
        spec(
            "gateway",
            gatewayNs,
            image.workdir(),
            argv,
            image.env(),
            List.of(
                new Container.Mount(
                    GatewayProcess.jar(), image.copyOf("portcullis-gateway.jar").dest(), true)),
            Map.of("registry", REGISTRY_IP));
    assertEquals(image.user(), gatewaySpec.user(), "compose runs the gateway as the image's USER");
    gateway = Container.start(gatewaySpec, work.path());
    awaitHttp(gateway, gatewayNs, "http://127.0.0.1:" + adminPort() + "/readyz", "200");
  }

  @AfterAll
  void down() throws Exception {
    for (Container c : new Container[] {gateway, registry}) {
      if (c != null) {
        c.close();
      }
    }
    for (String ns : List.of(gatewayNs, registryNs)) {
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
    }
    if (work != null && !Boolean.getBoolean("portcullis.keepWork")) {
      work.close();
    }
  }

  @Test
  @Order(1)
  void theGatewayRunsAsConfinedAsTheComposeFileAsks() throws Exception {
    String probe =
        String.join(
            "; ",
            "echo uid=$(id -u) gid=$(id -g) groups=$(id -G)",
            "grep -E '^(CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status",
            "touch /probe 2>&1",
            "touch /app/probe 2>&1",
            "touch /etc/portcullis/probe 2>&1",
            "touch /run/secrets/probe 2>&1",
            "touch /var/lib/portcullis/.probe && echo data-volume-writable",
            "touch /tmp/.probe && echo tmp-writable",
            "head -c 30 /run/secrets/token-key | grep -q PRIVATE && echo token-key-readable",
            "cat /proc/self/cgroup | grep -E ':(memory|pids):'");
    Container.Ran ran =
        Container.run(
            gatewaySpec.withArgv("probe", List.of("/usr/bin/sh", "-c", probe)),
            work.path(),
            Duration.ofSeconds(30));
    String out = ran.output();
    String[] user = gatewaySpec.user().split(":");
    assertTrue(out.contains("uid=" + user[0] + " gid=" + user[1] + " groups=" + user[1]), out);
    assertNotEquals("0", user[0]);
    assertTrue(out.contains("CapEff:\t0000000000000000"), out);
    assertTrue(out.contains("CapBnd:\t0000000000000000"), out);
    assertTrue(out.contains("NoNewPrivs:\t1"), out);
    for (String path : List.of("/probe", "/app/probe", "/etc/portcullis/probe")) {
      assertTrue(
          out.contains("touch: cannot touch '" + path + "': Read-only file system"), path + out);
    }
    assertTrue(out.contains("data-volume-writable"), out);
    assertTrue(out.contains("tmp-writable"), out);
    assertTrue(out.contains("token-key-readable"), out);
    assertTrue(out.contains(":memory:/portcullis-" + gatewaySpec.name() + "-probe"), out);
    assertTrue(out.contains(":pids:/portcullis-" + gatewaySpec.name() + "-probe"), out);
  }

  @Test
  @Order(2)
  void aCiUserPushesAndPullsThroughTheStackOverVerifiedTls() throws Exception {
    try (Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      OciLayout built = images.build(ImageSpec.builder().layers(2, 200_000).seed(8).build());
      Path ca = Files.createDirectories(work.resolve("client-ca"));
      Files.copy(
          project.resolve("certs-dev/out/root.crt"), ca.resolve("root.crt")); // skopeo: *.crt
      String ref = "docker://localhost:5000/team/app:1";
      String creds = "ci:" + ciPassword;

      Result push =
          skopeoIn(
              "copy",
              "--preserve-digests",
              "--dest-cert-dir",
              ca.toString(),
              "--dest-creds",
              creds,
              built.ref(),
              ref);
      assertEquals(0, push.exitCode(), push.output());

      Path pulled = work.resolve("pulled");
      Result pull =
          skopeoIn(
              "copy", "--src-cert-dir", ca.toString(), "--src-creds", creds, ref, "dir:" + pulled);
      assertEquals(0, pull.exitCode(), pull.output());
      assertEquals(built.digest(), DirImage.read(pulled).manifestDigest());

      // It went through the internal network into the registry's volume, written as uid 1000.
      Path repo = volume("registry-data").resolve("docker/registry/v2/repositories/team/app");
      assertTrue(Files.isDirectory(repo), "pushed into the registry volume");
      assertEquals(
          service("registry").path("user").asText().split(":")[0],
          Files.getAttribute(repo, "unix:uid").toString());

      Result anonymous = skopeoIn("inspect", "--raw", "--cert-dir", ca.toString(), ref);
      assertNotEquals(0, anonymous.exitCode(), "no credentials, no pull");
      Result untrusted = skopeoIn("inspect", "--raw", "--creds", creds, ref);
      assertNotEquals(0, untrusted.exitCode());
      assertTrue(
          untrusted.output().contains("certificate signed by unknown authority"),
          "TLS from the dev PKI, which the system does not trust: " + untrusted.output());
    }
  }

  @Test
  @Order(3)
  void healthcheckMetricsAndLimitsWork() throws Exception {
    Container.Ran health =
        Container.run(gatewaySpec.withArgv("health", image.healthcheck()), work.path(), READY);
    assertEquals(0, health.exitCode(), "HEALTHCHECK of the Dockerfile: " + health.output());

    String metrics = curlIn(gatewayNs, "http://127.0.0.1:" + adminPort() + "/metrics").strip();
    long heapMax = 0;
    Matcher heap =
        Pattern.compile("(?m)^jvm_memory_max_bytes\\{area=\"heap\"[^}]*\\} (\\S+)$")
            .matcher(metrics);
    while (heap.find()) {
      heapMax += Math.max(0, (long) Double.parseDouble(heap.group(1)));
    }
    long memLimit = composeBytes(service("gateway").path("mem_limit").asText());
    assertTrue(heapMax > 0, metrics);
    assertTrue(
        heapMax <= memLimit * 3 / 4,
        "the JVM sized its heap from the container's mem_limit ("
            + memLimit
            + " bytes) and MaxRAMPercentage=75: "
            + heapMax);
    assertTrue(
        Pattern.compile(
                "(?m)^portcullis_upstream_requests_seconds_count\\{[^}]*upstream=\"internal\"[^}]*\\} [1-9]")
            .matcher(metrics)
            .find(),
        "upstream requests to the registry are counted");
    assertTrue(
        Pattern.compile(
                "(?m)^portcullis_http_server_requests_seconds_count\\{[^}]*route=\"manifest\"[^}]*\\} [1-9]")
            .matcher(metrics)
            .find(),
        "manifest requests are counted");
  }

  @Test
  @Order(4)
  void logsAreJsonLinesWithoutSecrets() throws Exception {
    String log = gateway.log();
    assertFalse(log.isBlank());
    for (String line : log.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode entry = JSON.readTree(line);
      assertTrue(entry.isObject() && entry.has("level"), "a JSON object a line: " + line);
    }
    assertFalse(log.contains(ciPassword));
    assertFalse(log.contains(upstreamPassword));
    assertFalse(log.contains("PRIVATE KEY"));
    // the audit log is in the data volume, owned by the gateway's user
    Path audit = volume("gateway-data").resolve("audit.jsonl");
    assertTrue(Files.size(audit) > 0, "audit records in the data volume");
    assertEquals(
        gatewaySpec.user().split(":")[0], Files.getAttribute(audit, "unix:uid").toString());
  }

  @Test
  @Order(5)
  void stopsCleanlyWithinTheStopGracePeriod() throws Exception {
    Duration grace =
        Duration.ofSeconds(
            Long.parseLong(service("gateway").path("stop_grace_period").asText().replace("s", "")));
    long start = System.nanoTime();
    int exit = gateway.stop(grace);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertNotEquals(-1, exit, "docker stop would have killed it after " + grace);
    assertTrue(took.compareTo(grace) < 0, took.toString());
    assertFalse(gateway.log().contains("without a clean close"), gateway.log());
  }

  // --- the stack ---

  private JsonNode service(String name) {
    return compose.path("services").path(name);
  }

  private String adminPort() {
    return service("gateway").path("environment").path("PORTCULLIS_ADMIN_PORT").asText("9095");
  }

  /** A compose service as a {@link Container.Spec}, plus what its image brings. */
  private Container.Spec spec(
      String name,
      String netns,
      String workdir,
      List<String> argv,
      Map<String, String> imageEnv,
      List<Container.Mount> imageFiles,
      Map<String, String> hosts)
      throws IOException, InterruptedException {
    JsonNode s = service(name);
    assertTrue(s.path("read_only").asBoolean(), name + " has a read-only root (Container's)");
    List<Container.Mount> mounts = new ArrayList<>(imageFiles);
    for (JsonNode v : s.path("volumes")) {
      String[] parts = v.asText().split(":");
      boolean ro = parts.length > 2 && parts[2].equals("ro");
      Path source =
          parts[0].startsWith(".") ? project.resolve(parts[0]).normalize() : volume(parts[0]);
      mounts.add(new Container.Mount(source, parts[1], ro));
    }
    for (JsonNode c : s.path("configs")) {
      Path file =
          project.resolve(
              compose.path("configs").path(c.path("source").asText()).path("file").asText());
      mounts.add(new Container.Mount(file.normalize(), c.path("target").asText(), true));
    }
    for (JsonNode secret : s.path("secrets")) {
      String secretName = secret.asText();
      Path file = project.resolve(compose.path("secrets").path(secretName).path("file").asText());
      mounts.add(new Container.Mount(file.normalize(), "/run/secrets/" + secretName, true));
    }
    List<String> tmpfs = new ArrayList<>();
    s.path("tmpfs").forEach(t -> tmpfs.add(t.asText()));
    Map<String, String> env = new LinkedHashMap<>(imageEnv);
    s.path("environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    return new Container.Spec(
        name + "-" + id,
        netns,
        s.path("user").asText(),
        workdir,
        env,
        argv,
        mounts,
        tmpfs,
        hosts,
        composeBytes(s.path("mem_limit").asText()),
        s.path("cpus").asDouble(),
        s.path("pids_limit").asInt());
  }

  /**
   * A named volume's directory. A new volume takes the owner of what the image has at the mount
   * point: the gateway image's data dir belongs to its user; the registry's volume is handed to uid
   * 1000 once, as the README's prepare step says.
   */
  private Path volume(String name) throws IOException, InterruptedException {
    Path dir = project.resolve("volumes").resolve(name);
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      String owner =
          name.equals("registry-data") ? service("registry").path("user").asText() : image.user();
      run(Duration.ofSeconds(5), "chown", owner, dir.toString());
    }
    return dir;
  }

  /** The backend network: one link between the gateway's namespace and the registry's. */
  private void networks() throws IOException, InterruptedException {
    String gwLink = "pcg" + id;
    String regLink = "pcr" + id;
    Duration t = Duration.ofSeconds(10);
    run(t, "ip", "netns", "add", gatewayNs);
    run(t, "ip", "netns", "add", registryNs);
    run(t, "ip", "link", "add", gwLink, "type", "veth", "peer", "name", regLink);
    run(t, "ip", "link", "set", gwLink, "netns", gatewayNs);
    run(t, "ip", "link", "set", regLink, "netns", registryNs);
    run(t, "ip", "-n", gatewayNs, "addr", "add", GATEWAY_IP + "/30", "dev", gwLink);
    run(t, "ip", "-n", registryNs, "addr", "add", REGISTRY_IP + "/30", "dev", regLink);
    for (String[] nsLink : new String[][] {{gatewayNs, gwLink}, {registryNs, regLink}}) {
      run(t, "ip", "-n", nsLink[0], "link", "set", "lo", "up");
      run(t, "ip", "-n", nsLink[0], "link", "set", nsLink[1], "up");
    }
  }

  private void awaitHttp(Container c, String netns, String url, String status)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!c.process().isAlive()) {
        fail(
            "exited with " + c.process().exitValue() + " before " + url + " answered:\n" + c.log());
      }
      last = status(netns, url);
      if (last.equals(status)) {
        return;
      }
      Thread.sleep(200);
    }
    fail(url + " answered " + last + ", not " + status + ", within " + READY + ":\n" + c.log());
  }

  private String status(String netns, String url) throws IOException, InterruptedException {
    Result r =
        exec(
            Duration.ofSeconds(10),
            List.of(
                "ip",
                "netns",
                "exec",
                netns,
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-m",
                "5",
                "-w",
                "%{http_code}",
                url));
    return r.output().strip();
  }

  private String curlIn(String netns, String url) throws IOException, InterruptedException {
    Result r =
        exec(
            Duration.ofSeconds(15),
            List.of("ip", "netns", "exec", netns, "curl", "-sf", "-m", "10", url));
    assertEquals(0, r.exitCode(), url + ": " + r.output());
    return r.output();
  }

  /** skopeo in the gateway's network namespace: a client of the published port. */
  private Result skopeoIn(String... args) throws IOException, InterruptedException {
    Path home = Files.createDirectories(work.resolve("skopeo-home"));
    Path auth = home.resolve("auth.json");
    if (!Files.exists(auth)) {
      Files.writeString(auth, "{\"auths\":{}}");
      Files.writeString(home.resolve("registries.conf"), "unqualified-search-registries = []\n");
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                gatewayNs,
                "env",
                "HOME=" + home,
                "REGISTRY_AUTH_FILE=" + auth,
                "CONTAINERS_REGISTRIES_CONF=" + home.resolve("registries.conf"),
                "skopeo",
                "--insecure-policy",
                "--tmpdir",
                home.toString()));
    cmd.addAll(List.of(args));
    return exec(Duration.ofSeconds(120), cmd);
  }

  record Result(int exitCode, String output) {}

  /** {@code command}'s exit code and its stdout and stderr together. */
  private Result exec(Duration timeout, List<String> command) {
    CommandResult r = new ExternalCommand(scratch(), Map.of()).run(command, timeout);
    return new Result(r.exitCode(), r.stdout() + r.stderr());
  }

  /** {@code command}'s stdout; it must succeed. */
  private String run(Duration timeout, String... command) {
    return new ExternalCommand(scratch(), Map.of())
        .run(List.of(command), timeout)
        .orThrow()
        .stdout();
  }

  private Path scratch() {
    return work == null ? Path.of(System.getProperty("java.io.tmpdir")) : work.path();
  }

  /** A compose byte value: a number with an optional b, k, m or g (powers of 1024). */
  private static long composeBytes(String value) {
    Matcher m = Pattern.compile("(\\d+)([bkmg]?)").matcher(value.toLowerCase());
    assertTrue(m.matches(), "a compose byte value: " + value);
    int shift = "bkmg".indexOf(m.group(2).isEmpty() ? "b" : m.group(2)) * 10;
    return Long.parseLong(m.group(1)) << shift;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
