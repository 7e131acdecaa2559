package io.portcullis.gateway.it;

import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TempDirectory;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * Issue #14's benchmark: what the pull-through cache does next to CNCF distribution's own
 * pull-through mode ({@code docker-registry} with {@code proxy.remoteurl}) and next to the origin
 * {@code docker-registry} they both sit in front of, all started in this run, each figure the
 * median of some rounds after the gateway's JVM was warmed on other blobs, cold and warm:
 *
 * <ol>
 *   <li>cold blob MiB/s and time to first byte, one client, nothing cached (vs distribution);
 *   <li>warm blob MiB/s, one client (vs the origin serving it directly);
 *   <li>aggregate MiB/s of 16 clients pulling 16 different cached blobs at once (vs the origin),
 *       and origin GETs when 16 clients pull one cold blob at once;
 *   <li>cached manifest requests per second by tag and by digest (vs distribution);
 *   <li>CPU seconds of each of the gateway's event-loop threads under those loads;
 *   <li>the gateway's RSS growth while 8 slow clients (1 MiB/s each) stream one cold blob.
 * </ol>
 *
 * Blobs are fetched with {@code curl -o /dev/null}, the same client for every peer; the gateway
 * runs as its own JVM with {@code -Xms128m -Xmx128m -XX:+AlwaysPreTouch}; blobs are generated and
 * streamed, never held in memory. A summary prints each ratio beside the goal. Run with
 * {@code scripts/bench-cache.sh}.
 */
public final class CacheBenchmark {
  private static final long MIB = 1024 * 1024;
  private static final int MANY = 16;
  private static final int SLOW = 8;
  // Of the measured blobs' size: warmed on 256 MiB blobs, the JIT compiler still spent 0.29-0.50
  // CPU s in the three measured cold rounds (most of it in the first, the slowest in most runs);
  // on 512 MiB ones, 0.11.
  private static final int WARM_UP_FILLS = 8;
  // Then more, of smaller blobs, until a fill costs the JIT compiler under SETTLED CPU seconds.
  private static final int MORE_WARM_UP_FILLS = 8;
  private static final double SETTLED = 0.02;
  // The heap committed and touched at start, as a server's usually is: RSS growth then measures
  // what the load costs, not the heap growing to its bound (76 MiB of the 1 GiB slow-client run's
  // growth with -Xmx alone, most of it heap the JVM committed late).
  private static final String HEAP_MIN = "-Xms128m";
  private static final String HEAP_MAX = "-Xmx128m";
  private static final int THREADS = 32;
  private static final String REPO = "bench/blob";
  private static final String MANIFEST_ACCEPT =
      "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

  private final RegistryProcess origin;
  private final String gateway;
  private final String distribution;
  private final ProcessProbe probe;
  private final int rounds;
  private final BenchmarkSummary summary = new BenchmarkSummary();

  private CacheBenchmark(
      RegistryProcess origin, GatewayProcess gateway, RegistryProcess distribution, int rounds) {
    this.origin = origin;
    this.gateway = gateway.url();
    this.distribution = distribution.url();
    this.probe = new ProcessProbe(gateway.pid());
    this.rounds = rounds;
  }

  public static void main(String[] args) throws Exception {
    long mib = arg(args, 0, 512);
    int rounds = (int) arg(args, 1, 3);
    int seconds = (int) arg(args, 2, 5);
    long slowMib = arg(args, 3, 1024);
    long manyMib = arg(args, 4, 64);
    System.out.printf(
        "blob %d MiB, %d rounds, manifest rounds of %d s, %d clients of %d MiB blobs, %d slow"
            + " clients of a %d MiB blob; %d cores%n",
        mib, rounds, seconds, MANY, manyMib, SLOW, slowMib, cores());
    // Several GiB of blobs and cache files: deleted when the run ends, however it ends.
    try (TempDirectory tmp = TempDirectory.create("portcullis-cache-bench");
        RegistryProcess origin = RegistryProcess.start();
        Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      System.out.println("generating and uploading blobs to the origin ...");
      List<LargeBlob> warmUp = new ArrayList<>();
      for (int i = 0; i < WARM_UP_FILLS; i++) {
        warmUp.add(upload(origin, mib, 100 + i));
      }
      for (int i = 0; i < MORE_WARM_UP_FILLS; i++) {
        warmUp.add(upload(origin, Math.min(mib, 128), 500 + i));
      }
      List<LargeBlob> cold = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        cold.add(upload(origin, mib, 1 + i));
      }
      List<LargeBlob> many = new ArrayList<>();
      for (int i = 0; i < MANY; i++) {
        many.add(upload(origin, manyMib, 200 + i));
      }
      LargeBlob herd = upload(origin, manyMib, 300);
      LargeBlob slow = upload(origin, slowMib, 400);
      OciLayout image = images.build(ImageSpec.builder().layers(1, 4096).seed(3).build());
      images.push(image, origin.ref("bench/img:v1"));
      try (GatewayProcess gateway =
              GatewayProcess.inFrontOf(
                  tmp.path().resolve("gw"),
                  origin.url(),
                  HEAP_MIN,
                  HEAP_MAX,
                  "-XX:+AlwaysPreTouch");
          RegistryProcess distribution = RegistryProcess.builder().proxy(origin.url()).start()) {
        CacheBenchmark bench = new CacheBenchmark(origin, gateway, distribution, rounds);
        bench.warmUp(warmUp);
        bench.cold(cold);
        bench.warm(cold.get(0));
        bench.manyClients(many);
        bench.thunderingHerd(herd);
        bench.manifests(image, seconds);
        bench.slowClients(slow);
        bench.summary.print(System.out);
      }
    }
  }

  /**
   * The gateway's JVM compiles its hot paths on other blobs: each pulled cold (a fill) and then
   * warm. One cold fill left the JIT compiler busy with the cold path during the measured rounds
   * (1.4 s of C2 CPU in 8 s of them), and four still left 0.65 s of C2 CPU in the gateway's 4.2 s
   * over three cold 512 MiB rounds (ColdCpuBenchmark, per thread), 0.13-0.26 s after eight or ten.
   * So each peer gets {@link #WARM_UP_FILLS} of them, and the gateway up to {@link
   * #MORE_WARM_UP_FILLS} more, until a fill costs its compiler threads under {@link #SETTLED} CPU
   * seconds: a long-running gateway has its hot paths compiled, and a measured round should not pay
   * for compiling them.
   */
  private void warmUp(List<LargeBlob> blobs) throws IOException, InterruptedException {
    int fills = 0;
    double compiling = Double.MAX_VALUE;
    for (LargeBlob blob : blobs) {
      if (fills >= WARM_UP_FILLS && compiling < SETTLED) {
        break;
      }
      Map<Long, Double> before = probe.cpuByThread();
      CurlTransfer.get(url(gateway, blob), blob.size());
      if (fills < WARM_UP_FILLS) {
        CurlTransfer.get(url(distribution, blob), blob.size());
      }
      CurlTransfer.get(url(gateway, blob), blob.size());
      compiling = compilingSince(before);
      fills++;
    }
    System.out.printf(
        "JVM warmed on %d cold fills (and warm pulls); the JIT compiler's CPU in the last: %.3f s%n",
        fills, compiling);
    CurlTransfer.get(url(origin.url(), blobs.get(0)), blobs.get(0).size());
  }

  /** CPU seconds the gateway's JIT compiler threads spent since {@code before}. */
  private double compilingSince(Map<Long, Double> before) throws IOException, InterruptedException {
    return probe.cpuByKindSince(before).entrySet().stream()
        .filter(e -> e.getKey().contains("CompilerThread"))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /**
   * Waits (up to 20 s) until the machine is quiet: under 10 % of one core busy over 250 ms, from
   * {@code /proc/stat}, so no peer's background work (a store after the response, an fsync, a
   * commit) runs into the next peer's measured transfer.
   */
  private static void quiet() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    long[] before = cpuTicks();
    while (System.nanoTime() < deadline) {
      Thread.sleep(250);
      long[] now = cpuTicks();
      long busy = now[0] - before[0];
      long all = now[1] - before[1];
      before = now;
      if (all > 0 && busy * 10L * cores() < all) {
        return;
      }
    }
  }

  private interface Transfer {
    CurlTransfer run() throws IOException, InterruptedException;
  }

  /** Runs {@code t}, adding to {@code busy} the share of all cores busy meanwhile. */
  private static CurlTransfer busyDuring(Transfer t, List<Double> busy)
      throws IOException, InterruptedException {
    long[] before = cpuTicks();
    CurlTransfer done = t.run();
    long[] after = cpuTicks();
    long all = after[1] - before[1];
    busy.add(all == 0 ? 0 : (after[0] - before[0]) / (double) all);
    return done;
  }

  /**
   * Busy (not idle, not waiting for I/O), all, I/O-wait and stolen (a VM's host ran something else)
   * jiffies of every CPU so far, from /proc/stat.
   */
  static long[] cpuTicks() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length && i <= 8; i++) { // user .. steal; guest time is in user already
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
    return new long[] {total - idle, total, Long.parseLong(f[5]), Long.parseLong(f[8])};
  }

  private void cold(List<LargeBlob> blobs) throws IOException, InterruptedException {
    System.out.printf(
        "%n== cold %d MiB blob, one client, a new blob each round ==%n", blobs.get(0).size() / MIB);
    List<CurlTransfer> gw = new ArrayList<>();
    List<CurlTransfer> dist = new ArrayList<>();
    List<Double> gwBusy = new ArrayList<>();
    List<Double> distBusy = new ArrayList<>();
    Map<Long, Double> before = probe.cpuByThread();
    for (int i = 0; i < blobs.size(); i++) {
      LargeBlob blob = blobs.get(i);
      // Alternate who goes first, so neither always finds the origin's page cache warmer; and
      // start each transfer on a quiet machine: distribution's proxy goes on storing a blob (a
      // second GET from the origin, written to its disk) after its client has it all, and that
      // took a core from whichever transfer came next.
      if (i % 2 == 0) {
        quiet();
        gw.add(busyDuring(() -> CurlTransfer.get(url(gateway, blob), blob.size()), gwBusy));
      }
      quiet();
      dist.add(busyDuring(() -> CurlTransfer.get(url(distribution, blob), blob.size()), distBusy));
      if (i % 2 == 1) {
        quiet();
        gw.add(busyDuring(() -> CurlTransfer.get(url(gateway, blob), blob.size()), gwBusy));
      }
    }
    System.out.printf(
        "the gateway's JIT compiler during the cold rounds: %.3f CPU s%n", compilingSince(before));
    double g = report("portcullis", gw, CurlTransfer::mibPerSecond, "MiB/s");
    double d = report("distribution proxy", dist, CurlTransfer::mibPerSecond, "MiB/s");
    double gt = report("portcullis TTFB", gw, CurlTransfer::firstByteMillis, "ms");
    double dt = report("distribution TTFB", dist, CurlTransfer::firstByteMillis, "ms");
    report("machine busy, portcullis", gwBusy, b -> 100 * b, "%");
    report("machine busy, dist.", distBusy, b -> 100 * b, "%");
    double sha = ColdCpuBenchmark.sha256MibPerSecond();
    System.out.printf(
        "SHA-256 on one core (JDK, as the gateway hashes): %.0f MiB/s, %.2f CPU s per GiB: the"
            + " gateway hashes every byte of a cold blob before its client gets a clean end,"
            + " distribution's proxy streams without hashing (it stores from a second GET after)."
            + " With every core busy, cold MiB/s is bound by the CPU all processes spend per GiB"
            + " (scripts/bench-cache.sh cpu prints it).%n",
        sha, 1024 / sha);
    summary.atLeast("cold blob, MiB/s", g, d, "dist.", 1.0);
    summary.atMost("cold time to first byte, ms", gt, dt, "dist.", 1.5);
  }

  private void warm(LargeBlob blob) throws IOException, InterruptedException {
    System.out.printf("%n== warm %d MiB blob (cached), one client ==%n", blob.size() / MIB);
    List<CurlTransfer> gw = new ArrayList<>();
    List<CurlTransfer> direct = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      direct.add(CurlTransfer.get(url(origin.url(), blob), blob.size()));
      gw.add(CurlTransfer.get(url(gateway, blob), blob.size()));
    }
    double o = report("origin (direct)", direct, CurlTransfer::mibPerSecond, "MiB/s");
    double g = report("portcullis", gw, CurlTransfer::mibPerSecond, "MiB/s");
    summary.atLeast("warm blob, MiB/s", g, o, "origin", 0.95);
  }

  private void manyClients(List<LargeBlob> blobs) throws Exception {
    long size = blobs.get(0).size();
    System.out.printf(
        "%n== %d clients at once, each its own cached %d MiB blob ==%n", blobs.size(), size / MIB);
    for (LargeBlob blob : blobs) {
      CurlTransfer.get(url(gateway, blob), size); // fills the cache
    }
    List<String> gwUrls = blobs.stream().map(b -> url(gateway, b)).toList();
    List<String> originUrls = blobs.stream().map(b -> url(origin.url(), b)).toList();
    List<Double> gw = new ArrayList<>();
    List<Double> direct = new ArrayList<>();
    Map<Long, Double> cpu = probe.cpuByThread();
    for (int i = 0; i < rounds; i++) {
      direct.add(CurlTransfer.aggregate(originUrls, size));
      gw.add(CurlTransfer.aggregate(gwUrls, size));
    }
    double o = report("origin (direct)", direct, Double::doubleValue, "MiB/s aggregate");
    double g = report("portcullis", gw, Double::doubleValue, "MiB/s aggregate");
    summary.atLeast(MANY + "-client aggregate, MiB/s", g, o, "origin", 0.9);
    eventLoops(MANY + " clients, cached blobs (origin rounds included)", cpu);
  }

  /** Origin GETs when 16 clients ask each peer for one cold blob at the same moment. */
  private void thunderingHerd(LargeBlob blob) throws IOException, InterruptedException {
    System.out.printf(
        "%n== %d clients at once, one cold %d MiB blob: origin GETs ==%n", MANY, blob.size() / MIB);
    long gw = herd(gateway, blob);
    long dist = herd(distribution, blob);
    System.out.printf("portcullis: %d   distribution proxy: %d%n", gw, dist);
    summary.line(
        MANY + " cold clients of one blob, origin GETs",
        Long.toString(gw),
        dist + " dist.",
        "= 1",
        gw == 1);
  }

  private long herd(String peer, LargeBlob blob) throws IOException, InterruptedException {
    String path = "/v2/.+/blobs/" + Pattern.quote(blob.digest().toString());
    long before = origin.count("GET", path);
    CurlTransfer.aggregate(Collections.nCopies(MANY, url(peer, blob)), blob.size());
    return origin.count("GET", path) - before;
  }

  private void manifests(OciLayout image, int seconds) throws Exception {
    System.out.printf(
        "%n== cached manifest GETs, %d client threads (HTTP/1.1, one connection each), %d s"
            + " rounds ==%n",
        THREADS, seconds);
    // HTTP/1.1: Java's client would otherwise upgrade to h2c and multiplex all on one connection.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (String ref : List.of("v1", image.digest())) {
      String by = ref.startsWith("sha256:") ? "by digest" : "by tag";
      HttpRequest g = manifestRequest(gateway, ref);
      HttpRequest d = manifestRequest(distribution, ref);
      warmUp(http, g);
      warmUp(http, d);
      List<LoadRound> gw = new ArrayList<>();
      List<LoadRound> dist = new ArrayList<>();
      Map<Long, Double> cpu = probe.cpuByThread();
      for (int i = 0; i < rounds; i++) {
        gw.add(LoadRound.run(http, g, seconds, THREADS));
      }
      eventLoops("manifest GETs " + by, cpu);
      for (int i = 0; i < rounds; i++) {
        dist.add(LoadRound.run(http, d, seconds, THREADS));
      }
      LoadRound mg = LoadRound.medianRound(gw);
      LoadRound md = LoadRound.medianRound(dist);
      printRound(by + " portcullis", mg);
      printRound(by + " distribution proxy", md);
      summary.ratio("cached manifest " + by + ", req/s", mg.perSecond(), md.perSecond(), "dist.");
    }
  }

  private void slowClients(LargeBlob blob) throws Exception {
    System.out.printf(
        "%n== %d slow clients (1 MiB/s each) stream one cold %d MiB blob ==%n",
        SLOW, blob.size() / MIB);
    String url = url(gateway, blob);
    long before = probe.rssKiB();
    long peak = before;
    List<Process> clients = new ArrayList<>();
    for (int i = 0; i < SLOW; i++) {
      clients.add(CurlTransfer.start(url, "--limit-rate", "1M"));
    }
    long t0 = System.nanoTime();
    // Twice the time 1 MiB/s needs, and a minute: a gateway that stalls them is reported, not
    // waited for.
    long deadline = t0 + (blob.size() / MIB * 2 + 60) * 1_000_000_000L;
    while (clients.stream().anyMatch(Process::isAlive) && System.nanoTime() < deadline) {
      peak = Math.max(peak, probe.rssKiB());
      Thread.sleep(200); // a sampling interval, not a wait for readiness
    }
    long stalled = clients.stream().filter(Process::isAlive).count();
    for (Process client : clients) {
      if (stalled > 0) {
        client.destroy();
      } else {
        CurlTransfer.finish(client, url, blob.size());
      }
    }
    double growth = (peak - before) / 1024.0;
    System.out.printf(
        "RSS before %.1f MiB, peak %.1f MiB, growth %.1f MiB, %d of %d clients unfinished after"
            + " %.0f s%n",
        before / 1024.0, peak / 1024.0, growth, stalled, SLOW, (System.nanoTime() - t0) / 1e9);
    summary.line(
        "RSS growth, " + SLOW + " slow clients, MiB" + (stalled > 0 ? " (STALLED)" : ""),
        String.format("%.1f", growth),
        "",
        "<= 64",
        growth <= 64 && stalled == 0);
  }

  /** Prints each event loop's CPU seconds since {@code before}; notes how many carried work. */
  private void eventLoops(String during, Map<Long, Double> before) throws Exception {
    double total = probe.cpuSince(before);
    SortedMap<String, Double> loops = probe.eventLoopCpuSince(before);
    double busiest = loops.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    // A loop carries work when it did at least a tenth of what the busiest one did.
    long working = loops.values().stream().filter(s -> s > 0 && s >= busiest / 10).count();
    StringBuilder each = new StringBuilder();
    loops.forEach(
        (name, s) ->
            each.append(
                String.format(
                    "  %s %.2f", name.substring(ProcessProbe.EVENT_LOOP.length() - 7), s)));
    System.out.printf(
        "event-loop CPU s during %s (gateway process total %.2f s):%s%n", during, total, each);
    summary.line(
        "event loops with work, " + during,
        working + " of " + loops.size(),
        "",
        "all, and >= " + cores(),
        working == loops.size() && working >= cores());
  }

  private static <T> double report(
      String who, List<T> rounds, ToDoubleFunction<T> figure, String unit) {
    List<Double> values = rounds.stream().map(figure::applyAsDouble).toList();
    double median = LoadRound.median(values);
    System.out.printf(
        "%-20s: %8.1f %s median  %s%n",
        who, median, unit, values.stream().map(v -> String.format("%.1f", v)).toList());
    return median;
  }

  private static void printRound(String who, LoadRound r) {
    System.out.printf(
        "%-28s: %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms%n", who, r.perSecond(), r.p50(), r.p99());
  }

  private static void warmUp(HttpClient http, HttpRequest request) throws Exception {
    for (int i = 0; i < 200; i++) {
      LoadRound.check(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
    }
  }

  private static HttpRequest manifestRequest(String base, String ref) {
    return HttpRequest.newBuilder(URI.create(base + "/v2/bench/img/manifests/" + ref))
        .header("Accept", MANIFEST_ACCEPT)
        .build();
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

  private static long arg(String[] args, int i, long fallback) {
    return args.length > i ? Long.parseLong(args[i]) : fallback;
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }
}
