package io.portcullis.gateway.it;

import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prints what the pull-through cache does next to CNCF distribution's own pull-through mode ({@code
 * docker-registry} with {@code proxy.remoteurl}), both in front of one origin {@code
 * docker-registry}, all started in this run:
 *
 * <ol>
 *   <li>cold throughput of one large blob (one client, nothing cached), and through a second
 *       gateway with the cache off;
 *   <li>warm throughput of that blob through each, against the origin serving it directly (the
 *       ratio the cache is held to is ≥ 0.95);
 *   <li>bytes fetched from the origin when 8 clients pull one cold image at once (goal 1.0×);
 *   <li>cached manifest requests per second with p50/p99 latency, by tag and by digest.
 * </ol>
 *
 * Throughput is measured with {@code curl -o /dev/null}, the same client for every peer; the
 * gateway runs as its own JVM with {@code -Xmx128m}; blobs are generated and streamed, never held
 * in memory. Run with {@code scripts/bench-cache.sh [MiB] [rounds] [seconds]}.
 */
public final class CacheBenchmark {
  private static final int CLIENTS = 8;
  private static final int THREADS = 8;
  private static final String MANIFEST_ACCEPT =
      "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

  private CacheBenchmark() {}

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    long size = mib * 1024 * 1024;
    // Several GiB of blobs and cache files: deleted when the run ends, however it ends.
    try (io.portcullis.testkit.TempDirectory tmp =
            io.portcullis.testkit.TempDirectory.create("portcullis-cache-bench");
        RegistryProcess origin = RegistryProcess.start();
        Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      System.out.printf("uploading two generated %d MiB blobs to the origin ...%n", mib);
      LargeBlob forGateway = LargeBlob.of(size, 1);
      LargeBlob forDistribution = LargeBlob.of(size, 2);
      forGateway.upload(Http.CLIENT, origin.url(), "bench/gw");
      forDistribution.upload(Http.CLIENT, origin.url(), "bench/dist");
      OciLayout image =
          images.build(ImageSpec.builder().layers(4, 32 * 1024 * 1024).seed(3).build());
      for (String repo : List.of("bench/src", "bench/img-gw", "bench/img-dist")) {
        images.push(image, origin.ref(repo + ":v1"));
      }
      Path dir = tmp.path();
      Path direct = dir.resolve("direct");
      skopeo.copy(origin.ref("bench/src:v1"), "dir:" + direct).orThrow();
      Map<String, Long> blobSizes = blobSizes(direct);
      long imageBytes = blobSizes.values().stream().mapToLong(Long::longValue).sum();

      int uncachedPort = io.portcullis.testkit.FreePorts.loopback();
      String uncachedConfig =
          """
          server: {host: 127.0.0.1, port: %d}
          dataDir: %s
          cache: {enabled: false}
          upstreams:
            - {name: internal, url: '%s', prefix: ''}
          """
              .formatted(uncachedPort, dir.resolve("uncached/data"), origin.url());
      try (GatewayProcess gateway =
              GatewayProcess.inFrontOf(dir.resolve("gw"), origin.url(), "-Xmx128m");
          GatewayProcess uncached =
              GatewayProcess.start(
                  dir.resolve("uncached"), uncachedConfig, uncachedPort, "-Xmx128m");
          RegistryProcess distribution = RegistryProcess.builder().proxy(origin.url()).start()) {
        String gwBlob = gateway.url() + "/v2/bench/gw/blobs/" + forGateway.digest();
        String distBlob = distribution.url() + "/v2/bench/dist/blobs/" + forDistribution.digest();
        String originBlob = origin.url() + "/v2/bench/gw/blobs/" + forGateway.digest();

        System.out.printf("%n== 1. cold %d MiB blob, one client ==%n", mib);
        report("portcullis", curl(gwBlob, size));
        report("distribution", curl(distBlob, size));
        // The same gateway path without a cache (verifying proxy), for what the fill itself costs.
        report(
            "portcullis, no cache",
            curl(uncached.url() + "/v2/bench/gw/blobs/" + forGateway.digest(), size));

        System.out.printf("%n== 2. warm %d MiB blob, one client, median of %d ==%n", mib, rounds);
        List<Double> gw = new ArrayList<>();
        List<Double> dist = new ArrayList<>();
        List<Double> org = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          org.add(curl(originBlob, size));
          gw.add(curl(gwBlob, size));
          dist.add(curl(distBlob, size));
        }
        report("origin (direct)", LoadRound.median(org));
        report("portcullis", LoadRound.median(gw));
        report("distribution", LoadRound.median(dist));
        System.out.printf(
            "portcullis / direct = %.2f   distribution / direct = %.2f   (rounds: %s | %s | %s)%n",
            LoadRound.median(gw) / LoadRound.median(org),
            LoadRound.median(dist) / LoadRound.median(org),
            org,
            gw,
            dist);

        System.out.printf(
            "%n== 3. %d concurrent cold skopeo pulls of one %.1f MiB image (%d blobs) ==%n",
            CLIENTS, imageBytes / 1048576.0, blobSizes.size());
        double gwTime = pullConcurrently(skopeo, gateway.url(), "bench/img-gw", dir);
        double distTime = pullConcurrently(skopeo, distribution.url(), "bench/img-dist", dir);
        long gwBytes = originBytes(origin, "bench/img-gw", blobSizes);
        long distBytes = originBytes(origin, "bench/img-dist", blobSizes);
        System.out.printf(
            "portcullis   : %6.1f MiB from the origin = %.2fx the image, all done in %.1f s%n",
            gwBytes / 1048576.0, gwBytes / (double) imageBytes, gwTime);
        System.out.printf(
            "distribution : %6.1f MiB from the origin = %.2fx the image, all done in %.1f s%n",
            distBytes / 1048576.0, distBytes / (double) imageBytes, distTime);

        System.out.printf(
            "%n== 4. cached manifest GETs, %d client threads, %d s each ==%n", THREADS, seconds);
        HttpClient http = HttpClient.newHttpClient();
        String manifest = "/manifests/";
        for (String ref : List.of("v1", image.digest())) {
          LoadRound g = load(http, gateway.url() + "/v2/bench/img-gw" + manifest + ref, seconds);
          LoadRound d =
              load(http, distribution.url() + "/v2/bench/img-dist" + manifest + ref, seconds);
          String by = ref.startsWith("sha256:") ? "by digest" : "by tag   ";
          System.out.printf(
              "%s portcullis  : %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms%n",
              by, g.perSecond(), g.p50(), g.p99());
          System.out.printf(
              "%s distribution: %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms   ratio %.1fx%n",
              by, d.perSecond(), d.p50(), d.p99(), g.perSecond() / d.perSecond());
        }
      }
    }
  }

  private static void report(String who, double mibPerSecond) {
    System.out.printf("%-20s: %8.1f MiB/s%n", who, mibPerSecond);
  }

  /** MiB/s of one GET with curl, the body discarded; fails unless all bytes arrived with 200. */
  private static double curl(String url, long size) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "curl",
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{size_download} %{time_total}",
                url)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    String[] f = out.split(" ");
    if (f.length != 3 || !f[0].equals("200") || Long.parseLong(f[1]) != size) {
      throw new IllegalStateException("bad transfer of " + url + ": " + out);
    }
    return Math.round(size / 1048576.0 / Double.parseDouble(f[2]) * 10) / 10.0;
  }

  private static double pullConcurrently(Skopeo skopeo, String base, String repo, Path dir)
      throws Exception {
    String source = "docker://" + URI.create(base).getAuthority() + "/" + repo + ":v1";
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    long t0 = System.nanoTime();
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Path out = dir.resolve(repo.replace('/', '-') + "-" + i);
        all.add(
            pool.submit(
                () -> {
                  skopeo.copy(source, "dir:" + out).orThrow();
                  return DirImage.read(out);
                }));
      }
      for (var f : all) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static Map<String, Long> blobSizes(Path dirImage) throws IOException {
    Map<String, Long> sizes = new java.util.TreeMap<>();
    for (String digest : DirImage.read(dirImage).blobs().keySet()) {
      sizes.put(digest, Files.size(dirImage.resolve(digest.substring("sha256:".length()))));
    }
    return sizes;
  }

  /** Blob bytes the origin sent for {@code repo}, from its access log (200 GETs). */
  private static long originBytes(RegistryProcess origin, String repo, Map<String, Long> sizes) {
    long total = 0;
    for (var r : origin.requests()) {
      if (r.isBlobGet() && r.status() == 200 && r.path().startsWith("/v2/" + repo + "/blobs/")) {
        total += sizes.getOrDefault(r.path().substring(r.path().lastIndexOf('/') + 1), 0L);
      }
    }
    return total;
  }

  private static LoadRound load(HttpClient http, String url, int seconds) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", MANIFEST_ACCEPT).build();
    for (int i = 0; i < 200; i++) {
      LoadRound.check(http.send(req, HttpResponse.BodyHandlers.ofByteArray())); // warm-up
    }
    return LoadRound.run(http, req, seconds, THREADS);
  }
}
