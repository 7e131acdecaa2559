package io.portcullis.gateway.it;

import io.portcullis.core.oci.Digest;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.TempDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Issue #14's cold path in CPU seconds, a figure the other work on a shared machine does not move
 * as it moves MiB/s: the CPU time (user + system, from {@code /proc/<pid>/stat}) the gateway's
 * process spends per GiB of cold blob it serves, beside the same for CNCF distribution's proxy
 * ({@code docker-registry} with {@code proxy.remoteurl}) in front of the same origin, in the same
 * run. Each transfer is one {@code curl -o /dev/null} of a blob neither has cached; a process's
 * count runs until it has settled (under 5 % of a core over 250 ms), so distribution's store of the
 * blob after its client has it (a second origin GET, its hash and disk writes) counts, as the
 * gateway's fsync and move do. Each round also prints what the whole machine spent during each
 * transfer (busy CPU from {@code /proc/stat}: the client, the origin and the proxy together) and
 * how busy it was: a transfer with every core busy is bound by CPU, and then its MiB/s is the
 * machine's cores over that CPU per GiB. Before the rounds it measures SHA-256 on one core (this
 * JVM, the JDK's implementation the gateway uses): the gateway hashes every byte of a cold blob
 * before it gives its client a clean end, distribution's proxy streams without hashing. With {@code
 * jfr}, the gateway's cold rounds are recorded with JFR ({@code settings=profile}) and the top
 * frames of its CPU samples printed; with {@code perf}, sampled with Linux {@code perf} (kernel and
 * JIT-compiled code too) and summarised.
 *
 * <p>Usage (see {@code scripts/bench-cache.sh cpu}): {@code ColdCpuBenchmark [blob MiB] [rounds]
 * [jfr|perf]}; the system property {@code portcullis.bench.jvmArgs} adds JVM options to the gateway
 * (e.g. {@code -Dio.netty.leakDetection.level=paranoid}) and {@code portcullis.bench.yaml} adds
 * top-level YAML to its config (e.g. {@code "cache: {directWrites: false}"}).
 */
public final class ColdCpuBenchmark {
  private static final long MIB = 1024 * 1024;
  private static final double GIB = 1024.0 * MIB;
  // Cold fills of other blobs before the measured rounds, for the JIT compiler; more with the
  // system property portcullis.bench.warmUps.
  private static final int WARM_UP_FILLS = Integer.getInteger("portcullis.bench.warmUps", 4);
  private static final String REPO = "bench/blob";

  private ColdCpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 512;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String profiler = args.length > 2 ? args[2] : "";
    List<String> jvmArgs = new ArrayList<>(List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"));
    String extra = System.getProperty("portcullis.bench.jvmArgs", "").trim();
    if (!extra.isEmpty()) {
      jvmArgs.addAll(Arrays.asList(extra.split("\\s+")));
    }
    if (profiler.equals("perf")) {
      // perf walks the stack by frame pointers, which compiled Java code keeps only so
      jvmArgs.add("-XX:+PreserveFramePointer");
    }
    String yaml = System.getProperty("portcullis.bench.yaml", "").trim();
    System.out.printf(
        "cold %d MiB blobs, %d rounds, gateway JVM %s%s%n",
        mib, rounds, jvmArgs, yaml.isEmpty() ? "" : ", config + " + yaml);
    double sha = sha256MibPerSecond();
    System.out.printf(
        "SHA-256 on one core (JDK, 1 MiB updates, best of 3): %.0f MiB/s, %.3f CPU s per GiB%n",
        sha, 1024 / sha);
    try (TempDirectory tmp = TempDirectory.create("portcullis-cpu-bench");
        RegistryProcess origin = RegistryProcess.start()) {
      List<LargeBlob> warmUp = new ArrayList<>();
      for (int i = 0; i < WARM_UP_FILLS; i++) {
        warmUp.add(upload(origin, Math.min(mib, 256), 500 + i));
      }
      List<LargeBlob> cold = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        cold.add(upload(origin, mib, 600 + i));
      }
      try (GatewayProcess gateway =
              GatewayProcess.inFrontOfWith(
                  tmp.path().resolve("gw"),
                  origin.url(),
                  yaml.isEmpty() ? "" : yaml + "\n",
                  jvmArgs.toArray(String[]::new));
          RegistryProcess distribution = RegistryProcess.builder().proxy(origin.url()).start()) {
        try {
          run(gateway, distribution, warmUp, cold, rounds, profiler, tmp.path());
        } catch (RuntimeException e) {
          String log = gateway.log();
          System.out.println(log.substring(Math.max(0, log.length() - 20_000)));
          throw e;
        }
      }
    }
  }

  private static void run(
      GatewayProcess gateway,
      RegistryProcess distribution,
      List<LargeBlob> warmUp,
      List<LargeBlob> cold,
      int rounds,
      String profiler,
      Path tmp)
      throws Exception {
    boolean jfr = profiler.equals("jfr");
    for (LargeBlob blob : warmUp) {
      transfer(gateway.url(), gateway.pid(), blob);
      transfer(distribution.url(), distribution.pid(), blob);
      CurlTransfer.get(url(gateway.url(), blob), blob.size());
    }
    Path recording = tmp.resolve("cold.jfr");
    if (jfr) {
      jcmd(gateway.pid(), "JFR.start", "name=cold", "settings=profile", "filename=" + recording);
    }
    PerfProfile perf =
        profiler.equals("perf")
            ? PerfProfile.start(
                gateway.pid(), Path.of("/tmp", "portcullis-cold-" + gateway.pid() + ".perf"))
            : null;
    ProcessProbe probe = new ProcessProbe(gateway.pid());
    Map<Long, Double> threadsBefore = probe.cpuByThread();
    List<Double> gw = new ArrayList<>();
    List<Double> gwDuring = new ArrayList<>();
    List<Double> dist = new ArrayList<>();
    List<Double> distDuring = new ArrayList<>();
    List<Double> gwMachine = new ArrayList<>();
    List<Double> distMachine = new ArrayList<>();
    List<Double> gwBusy = new ArrayList<>();
    List<Double> distBusy = new ArrayList<>();
    List<Double> gwRate = new ArrayList<>();
    List<Double> distRate = new ArrayList<>();
    for (LargeBlob blob : cold) {
      Map<Long, Double> roundCpu = probe.cpuByThread();
      Map<Long, Double> roundSystem = probe.systemByThread();
      Cost g = transfer(gateway.url(), gateway.pid(), blob);
      Map<Long, Double> afterCpu = probe.cpuByThread();
      Map<Long, Double> afterSystem = probe.systemByThread();
      System.out.println(
          "  by thread (CPU s, of it system):"
              + perThread(probe, roundCpu, afterCpu, roundSystem, afterSystem));
      Cost d = transfer(distribution.url(), distribution.pid(), blob);
      System.out.printf(
          "round: portcullis %.3f CPU s/GiB (%.3f of it system; %.3f during the transfer,"
              + " %.0f MiB/s); distribution proxy %.3f (%.3f system; %.3f during, %.0f"
              + " MiB/s)%n",
          g.perGib(),
          g.systemPerGib(),
          g.duringPerGib(),
          g.mibPerSecond(),
          d.perGib(),
          d.systemPerGib(),
          d.duringPerGib(),
          d.mibPerSecond());
      System.out.printf(
          "  the machine during the transfer: portcullis %.3f CPU s/GiB, %.0f %% of %d cores busy"
              + " (%.0f %% waiting for I/O, %.0f %% stolen); distribution proxy %.3f, %.0f %%"
              + " (%.0f %%, %.0f %%)%n",
          g.machinePerGib(),
          100 * g.machineBusy(),
          CORES,
          100 * g.machineIoWait(),
          100 * g.machineStolen(),
          d.machinePerGib(),
          100 * d.machineBusy(),
          100 * d.machineIoWait(),
          100 * d.machineStolen());
      gwMachine.add(g.machinePerGib());
      distMachine.add(d.machinePerGib());
      gwBusy.add(g.machineBusy());
      distBusy.add(d.machineBusy());
      gwRate.add(g.mibPerSecond());
      distRate.add(d.mibPerSecond());
      gw.add(g.perGib());
      gwDuring.add(g.duringPerGib());
      dist.add(d.perGib());
      distDuring.add(d.duringPerGib());
    }
    if (jfr) {
      jcmd(gateway.pid(), "JFR.stop", "name=cold");
    }
    if (perf != null) {
      perf.close();
    }
    StringBuilder kinds = new StringBuilder();
    double[] work = {0};
    probe
        .cpuByKindSince(threadsBefore)
        .forEach(
            (kind, sec) -> {
              if (sec >= 0.005) {
                kinds.append(String.format("  %s %.2f", kind, sec));
              }
              // what the transfers cost, without the JIT compiler finishing its work
              if (!kind.contains("CompilerThread")) {
                work[0] += sec;
              }
            });
    long bytes = cold.stream().mapToLong(LargeBlob::size).sum();
    System.out.printf(
        "gateway CPU s in the cold rounds by thread:%s%n"
            + "gateway CPU s per GiB in the cold rounds without the JIT compiler's threads: %.3f%n",
        kinds, work[0] * GIB / bytes);
    double gm = LoadRound.median(gw);
    double dm = LoadRound.median(dist);
    System.out.printf(
        "%ncold CPU s per GiB, median of %d: portcullis %.3f (during the transfer %.3f),"
            + " distribution proxy %.3f (during %.3f); ratio %.2f%n",
        rounds, gm, LoadRound.median(gwDuring), dm, LoadRound.median(distDuring), gm / dm);
    double gMachine = LoadRound.median(gwMachine);
    double dMachine = LoadRound.median(distMachine);
    System.out.printf(
        "the machine's CPU s per GiB during the transfers, median: portcullis %.3f (%.0f %% busy),"
            + " distribution proxy %.3f (%.0f %% busy)%n"
            + "MiB/s, median: portcullis %.0f, distribution proxy %.0f (ratio %.2f); with every"
            + " core busy, the ratio of the machine's CPU per GiB says the same: %.2f%n",
        gMachine,
        100 * LoadRound.median(gwBusy),
        dMachine,
        100 * LoadRound.median(distBusy),
        LoadRound.median(gwRate),
        LoadRound.median(distRate),
        LoadRound.median(gwRate) / LoadRound.median(distRate),
        dMachine / gMachine);
    if (jfr) {
      JfrSummary.print(recording, System.out);
    }
    if (perf != null) {
      perf.report(System.out);
    }
  }

  private static String perThread(
      ProcessProbe probe,
      Map<Long, Double> cpuBefore,
      Map<Long, Double> cpuAfter,
      Map<Long, Double> systemBefore,
      Map<Long, Double> systemAfter)
      throws IOException, InterruptedException {
    Map<String, Double> system = probe.byKind(systemBefore, systemAfter);
    StringBuilder out = new StringBuilder();
    probe
        .byKind(cpuBefore, cpuAfter)
        .forEach(
            (kind, sec) -> {
              if (sec >= 0.005) {
                out.append(
                    String.format("  %s %.2f (%.2f)", kind, sec, system.getOrDefault(kind, 0.0)));
              }
            });
    return out.toString();
  }

  /** CPU seconds a process spent on one cold transfer, until it settled, and during it. */
  private record Cost(
      double seconds,
      double system,
      double during,
      double transferSeconds,
      long bytes,
      double machineSeconds,
      double machineBusy,
      double machineIoWait,
      double machineStolen) {
    double machinePerGib() {
      return machineSeconds * GIB / bytes;
    }

    double perGib() {
      return seconds * GIB / bytes;
    }

    double systemPerGib() {
      return system * GIB / bytes;
    }

    double duringPerGib() {
      return during * GIB / bytes;
    }

    double mibPerSecond() {
      return bytes / (double) MIB / transferSeconds;
    }
  }

  private static Cost transfer(String base, long pid, LargeBlob blob)
      throws IOException, InterruptedException {
    settle(pid);
    double[] before = cpu(pid);
    long[] machineBefore = CacheBenchmark.cpuTicks();
    CurlTransfer t = CurlTransfer.get(url(base, blob), blob.size());
    long[] machineAfter = CacheBenchmark.cpuTicks();
    double during = cpuSeconds(pid) - before[0] - before[1];
    long busy = machineAfter[0] - machineBefore[0];
    long all = machineAfter[1] - machineBefore[1];
    settle(pid);
    double[] after = cpu(pid);
    return new Cost(
        after[0] + after[1] - before[0] - before[1],
        after[1] - before[1],
        during,
        t.seconds(),
        blob.size(),
        busy / ProcessProbe.TICKS_PER_SECOND,
        all == 0 ? 0 : busy / (double) all,
        all == 0 ? 0 : (machineAfter[2] - machineBefore[2]) / (double) all,
        all == 0 ? 0 : (machineAfter[3] - machineBefore[3]) / (double) all);
  }

  private static final int CORES = Runtime.getRuntime().availableProcessors();

  /** SHA-256 of 512 MiB in 1 MiB updates on this thread, best of 3, in MiB/s. */
  static double sha256MibPerSecond() {
    byte[] chunk = new byte[(int) MIB];
    new Random(1).nextBytes(chunk);
    Digest sha256 =
        Digest.sha256(new byte[0]); // its algorithm, for a fresh MessageDigest each round
    double best = 0;
    for (int r = 0; r < 3; r++) {
      MessageDigest md = sha256.newMessageDigest();
      long start = System.nanoTime();
      for (int i = 0; i < 512; i++) {
        md.update(chunk);
      }
      md.digest();
      best = Math.max(best, 512 / ((System.nanoTime() - start) / 1e9));
    }
    return best;
  }

  /**
   * Waits (up to 20 s) until {@code pid} uses under 5 % of a core over 250 ms: a store after the
   * response, an fsync, the JIT compiler finishing.
   */
  private static void settle(long pid) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    double before = cpuSeconds(pid);
    while (System.nanoTime() < deadline) {
      Thread.sleep(250); // a sampling interval: the process has no readiness signal for this
      double now = cpuSeconds(pid);
      if (now - before < 0.0125) {
        return;
      }
      before = now;
    }
  }

  /** User + system CPU seconds of the whole process, every thread it ever had. */
  static double cpuSeconds(long pid) throws IOException {
    double[] c = cpu(pid);
    return c[0] + c[1];
  }

  /** User and system CPU seconds of the whole process. */
  private static double[] cpu(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // state is field 3 of stat(5); utime and stime are 14 and 15
    return new double[] {
      Long.parseLong(f[11]) / ProcessProbe.TICKS_PER_SECOND,
      Long.parseLong(f[12]) / ProcessProbe.TICKS_PER_SECOND
    };
  }

  private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + cmd + " failed: " + out);
    }
  }

  private static LargeBlob upload(RegistryProcess origin, long mib, long seed)
      throws IOException, InterruptedException {
    LargeBlob blob = LargeBlob.of(mib * MIB, seed);
    blob.upload(Http.CLIENT, origin.url(), REPO);
    return blob;
  }

  private static String url(String base, LargeBlob blob) {
    return base + "/v2/" + REPO + "/blobs/" + blob.digest();
  }
}
