package io.portcullis.gateway.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program the way a container runtime runs a compose service, without a Docker daemon (there
 * is none on this machine), from the same kernel features: a network namespace of its own, a mount
 * namespace whose root is an empty tmpfs holding only the host's {@code /usr} (read-only, standing
 * in for the image's files), the service's volumes, configs, secrets and tmpfs mounts, then
 * remounted read-only ({@code read_only: true}); a numeric non-root user with no capabilities at
 * all ({@code cap_drop: [ALL]}) and the no-new-privileges bit; memory, CPU and pids limits from
 * cgroups; an environment holding only what the image and the service set. Root is needed to build
 * it, as for a container runtime.
 *
 * <p>The program is exec'd at the end of a chain ({@code nsenter}, {@code unshare}, {@code chroot},
 * {@code setpriv}, {@code env}), so the {@link Process} is the program itself: a SIGTERM reaches it
 * as {@code docker stop} would.
 */
final class Container implements AutoCloseable {
  /** A bind mount of a host file or directory. */
  record Mount(Path source, String target, boolean readOnly) {}

  /** What a compose service and its image decide about the container. */
  record Spec(
      String name,
      String netns,
      String user,
      String workdir,
      Map<String, String> env,
      List<String> argv,
      List<Mount> mounts,
      List<String> tmpfs,
      Map<String, String> hosts,
      long memoryBytes,
      double cpus,
      int pids) {
    Spec {
      env = Map.copyOf(env);
      argv = List.copyOf(argv);
      mounts = List.copyOf(mounts);
      tmpfs = List.copyOf(tmpfs);
      hosts = Map.copyOf(hosts);
    }

    Spec withArgv(String suffix, List<String> other) {
      return new Spec(
          name + "-" + suffix,
          netns,
          user,
          workdir,
          env,
          other,
          mounts,
          tmpfs,
          hosts,
          memoryBytes,
          cpus,
          pids);
    }
  }

  private static final String[] CGROUPS = {"memory", "cpu", "pids"};

  private final Spec spec;
  private final Process process;
  private final Path log;

  private Container(Spec spec, Process process, Path log) {
    this.spec = spec;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code spec}; its output (stdout and stderr) goes to {@code workDir/NAME.log}. */
  static Container start(Spec spec, Path workDir) throws IOException {
    Path root = Files.createDirectories(workDir.resolve("rootfs-" + spec.name()));
    Path script = Files.writeString(workDir.resolve(spec.name() + ".sh"), script(spec, root));
    Path log = workDir.resolve(spec.name() + ".log");
    Process p =
        new ProcessBuilder(
                "nsenter",
                "--net=/run/netns/" + spec.netns(),
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "bash",
                script.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    return new Container(spec, p, log);
  }

  /** Runs {@code spec} to its end (at most {@code timeout}); its exit code and output. */
  static Ran run(Spec spec, Path workDir, Duration timeout)
      throws IOException, InterruptedException {
    try (Container c = start(spec, workDir)) {
      if (!c.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(spec.name() + " did not end within " + timeout + ":\n" + c.log());
      }
      return new Ran(c.process.exitValue(), c.log());
    }
  }

  record Ran(int exitCode, String output) {}

  Process process() {
    return process;
  }

  String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** {@code docker stop}: SIGTERM, then the exit code if it ends within {@code grace}, else -1. */
  int stop(Duration grace) throws InterruptedException {
    process.destroy();
    if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    return -1;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    // The mount namespace, and with it every mount, went with the process; the cgroups stay.
    for (String controller : CGROUPS) {
      try {
        Files.deleteIfExists(cgroup(controller, spec));
      } catch (IOException stillBusy) {
        // a cgroup with a process left in it cannot go; the kernel keeps it, harmlessly
      }
    }
  }

  private static String cgroupName(Spec spec) {
    return "portcullis-" + spec.name();
  }

  private static Path cgroup(String controller, Spec spec) {
    return Path.of("/sys/fs/cgroup", controller, cgroupName(spec));
  }

  /** The shell that builds the container's view of the system and exec's the program in it. */
  private static String script(Spec spec, Path root) throws IOException {
    String javaHome = Path.of(System.getProperty("java.home")).toRealPath().toString();
    StringBuilder s = new StringBuilder();
    s.append("set -euo pipefail\n");
    s.append("R=").append(q(root.toString())).append('\n');
    s.append("mount -t tmpfs -o mode=0755,size=8m rootfs \"$R\"\n");
    s.append("mkdir -p \"$R\"/usr \"$R\"/proc \"$R\"/sys \"$R\"/dev \"$R\"/etc \"$R\"/run\n");
    for (String link : List.of("bin", "lib", "lib64", "sbin")) {
      s.append("ln -s usr/").append(link).append(" \"$R\"/").append(link).append('\n');
    }
    // The image's files: the host's /usr, read-only, and its JVM if that lives elsewhere.
    s.append("mount --bind -o ro /usr \"$R\"/usr\n");
    if (!javaHome.startsWith("/usr/")) {
      bind(s, Path.of(javaHome), javaHome, true, true);
    }
    s.append("mount -t proc -o nosuid,nodev,noexec proc \"$R\"/proc\n");
    s.append("mount --rbind /sys \"$R\"/sys\n");
    s.append("mount -t tmpfs -o mode=0755,size=64k dev \"$R\"/dev\n");
    for (String dev : List.of("null", "zero", "full", "random", "urandom")) {
      s.append("touch \"$R\"/dev/").append(dev).append('\n');
      s.append("mount --bind /dev/").append(dev).append(" \"$R\"/dev/").append(dev).append('\n');
    }
    // /etc: users as in distroless, the service's host names, the JDK's and TLS trust settings.
    s.append("cat > \"$R\"/etc/passwd <<'EOF'\n")
        .append("root:x:0:0:root:/root:/sbin/nologin\n")
        .append("nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
        .append("EOF\n");
    s.append("cat > \"$R\"/etc/group <<'EOF'\nroot:x:0:\nnonroot:x:65532:\nEOF\n");
    s.append("mkdir -p \"$R\"/home/nonroot\n");
    s.append(
        "printf 'passwd: files\\ngroup: files\\nhosts: files\\n' > \"$R\"/etc/nsswitch.conf\n");
    StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\\n::1 localhost\\n");
    spec.hosts().forEach((name, ip) -> hosts.append(ip).append(' ').append(name).append("\\n"));
    s.append("printf '").append(hosts).append("' > \"$R\"/etc/hosts\n");
    // as on a compose network: Docker's embedded DNS server (not running here: names are in hosts)
    s.append("printf 'nameserver 127.0.0.11\\noptions ndots:0\\n' > \"$R\"/etc/resolv.conf\n");
    s.append("for d in /etc/ssl /etc/java-*; do\n")
        .append("  [ -d \"$d\" ] || continue\n")
        .append("  mkdir -p \"$R$d\" && mount --bind -o ro \"$d\" \"$R$d\"\n")
        .append("done\n");
    for (Mount m : spec.mounts()) {
      bind(s, m.source(), m.target(), m.readOnly(), Files.isDirectory(m.source()));
    }
    for (String tmpfs : spec.tmpfs()) {
      String[] parts = tmpfs.split(":", 2);
      s.append("mkdir -p \"$R\"").append(q(parts[0])).append('\n');
      s.append("mount -t tmpfs -o ")
          .append(q("nosuid,nodev" + (parts.length > 1 ? "," + parts[1] : "")))
          .append(" tmpfs \"$R\"")
          .append(q(parts[0]))
          .append('\n');
    }
    s.append("mount -o remount,ro \"$R\"\n"); // read_only: true
    // Limits, as Docker sets them for mem_limit, cpus and pids_limit (cgroup v1 here).
    s.append("cg() { d=/sys/fs/cgroup/$1/")
        .append(cgroupName(spec))
        .append("; mkdir -p \"$d\"; echo \"$3\" > \"$d/$2\"; echo $$ > \"$d/cgroup.procs\"; }\n");
    s.append("cg memory memory.limit_in_bytes ").append(spec.memoryBytes()).append('\n');
    s.append("cg cpu cpu.cfs_period_us 100000\n");
    s.append("cg cpu cpu.cfs_quota_us ").append(Math.round(spec.cpus() * 100_000)).append('\n');
    s.append("cg pids pids.max ").append(spec.pids()).append('\n');
    String[] user = spec.user().split(":");
    s.append("exec chroot \"$R\" /usr/bin/setpriv")
        .append(" --reuid=")
        .append(user[0])
        .append(" --regid=")
        .append(user[1])
        .append(" --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all")
        .append(" /usr/bin/env -i -C ")
        .append(q(spec.workdir()));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOME", "/home/nonroot");
    env.putAll(spec.env());
    env.forEach((k, v) -> s.append(' ').append(q(k + "=" + v)));
    List<String> argv = new ArrayList<>(spec.argv());
    if (argv.get(0).equals("/usr/bin/java")) {
      argv.set(0, javaHome + "/bin/java"); // the image's JVM is distroless's; here, this one
    }
    argv.forEach(a -> s.append(' ').append(q(a)));
    s.append('\n');
    return s.toString();
  }

  private static void bind(
      StringBuilder s, Path source, String target, boolean readOnly, boolean directory) {
    String t = "\"$R\"" + q(target);
    s.append(directory ? "mkdir -p " + t : "mkdir -p \"$(dirname " + t + ")\" && touch " + t);
    s.append('\n');
    s.append("mount --bind ")
        .append(readOnly ? "-o ro " : "")
        .append(q(source.toAbsolutePath().toString()))
        .append(' ')
        .append(t)
        .append('\n');
  }

  /** Single-quoted for the shell. */
  private static String q(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
