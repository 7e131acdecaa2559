package io.portcullis.gateway.it;

import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prints warm manifest pulls per second through one gateway process for a repository under an
 * enforcing cosign policy, as a ratio to a repository of the same gateway whose policy is {@code
 * off}, in the same run; and the cold cost of a first verification (fetching the signature and
 * checking it) against a first pull without a policy. The image is signed with the real CLI.
 *
 * <p>Run: {@code scripts/bench-manifest.sh [seconds per round] [client threads]}.
 */
public final class ManifestThroughputBenchmark {
  private ManifestThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    Path dir = Files.createTempDirectory("portcullis-bench-manifest");
    try (RegistryProcess registry = RegistryProcess.start();
        Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      Files.writeString(dir.resolve("pw"), "bench\n");
      Signer.keygen(dir, "k");
      List<String> cold = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        OciLayout image = images.build(ImageSpec.builder().layers(1, 4096).seed(500 + i).build());
        for (String repo : List.of("signed/app" + i, "plain/app" + i)) {
          images.push(image, registry.ref(repo + ":v1"));
        }
        Signer.sign(dir, "k", registry, "signed/app" + i + ":v1");
        cold.add("app" + i);
      }
      Files.writeString(
          dir.resolve("policy.yaml"),
          """
          version: 1
          trustStores:
            k: {type: cosign, keys: [k.pub]}
          policies:
            - {name: signed, scopes: ["signed/**"], mode: enforce, signatures: {anyOf: [{type: cosign, trustStore: k}]}}
            - {name: rest, scopes: ["**"], mode: off}
          """);
      int port = FreePorts.loopback();
      String config =
          """
          server: {host: 127.0.0.1, port: %d}
          dataDir: %s
          policy: {file: %s}
          upstreams:
            - {name: internal, url: '%s', prefix: ''}
          """
              .formatted(port, dir.resolve("data"), dir.resolve("policy.yaml"), registry.url());
      try (GatewayProcess gateway = GatewayProcess.start(dir, config, port, "-Xmx256m")) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = gateway.url() + "/v2/";
        // Cold: the first pull of each signed image fetches its .sig manifest and layer and
        // verifies.
        List<Double> coldSigned = new ArrayList<>();
        List<Double> coldPlain = new ArrayList<>();
        for (String app : cold.subList(1, cold.size())) {
          coldPlain.add(timeOne(http, base + "plain/" + app + "/manifests/v1"));
          coldSigned.add(timeOne(http, base + "signed/" + app + "/manifests/v1"));
        }
        String enforced = base + "signed/app0/manifests/v1";
        String off = base + "plain/app0/manifests/v1";
        Round warmUp = load(http, enforced, 2, threads);
        load(http, off, 2, threads);
        List<Round> e = new ArrayList<>();
        List<Round> o = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          o.add(load(http, off, seconds, threads));
          e.add(load(http, enforced, seconds, threads));
        }
        Round me = median(e);
        Round mo = median(o);
        System.out.printf(
            "warm manifest GETs, %d client threads, %d s rounds, median of 3 (warm-up %d req)%n",
            threads, seconds, warmUp.count);
        System.out.printf(
            "policy off     : %8.0f req/s  p50 %.2f ms  p99 %.2f ms%n",
            mo.perSecond, mo.p50, mo.p99);
        System.out.printf(
            "cosign enforced: %8.0f req/s  p50 %.2f ms  p99 %.2f ms%n",
            me.perSecond, me.p50, me.p99);
        System.out.printf("ratio enforced/off        : %.2f%n", me.perSecond / mo.perSecond);
        System.out.printf(
            "cold first pull, off      : median %.1f ms %s%n", medianOf(coldPlain), coldPlain);
        System.out.printf(
            "cold first pull, verified : median %.1f ms %s%n", medianOf(coldSigned), coldSigned);
        System.out.printf(
            "cold cost of verification : %.1f ms%n", medianOf(coldSigned) - medianOf(coldPlain));
      }
    }
  }

  private record Round(long count, double perSecond, double p50, double p99) {}

  private static double timeOne(HttpClient http, String url) throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<byte[]> r = http.send(request(url), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode());
    }
    return Math.round((System.nanoTime() - t0) / 1e5) / 10.0;
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .build();
  }

  private static Round load(HttpClient http, String url, int seconds, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Future<List<Long>>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      work.add(
          pool.submit(
              () -> {
                List<Long> latencies = new ArrayList<>();
                while (System.nanoTime() < end) {
                  long t0 = System.nanoTime();
                  HttpResponse<byte[]> r =
                      http.send(request(url), HttpResponse.BodyHandlers.ofByteArray());
                  if (r.statusCode() != 200) {
                    throw new IllegalStateException(url + " answered " + r.statusCode());
                  }
                  latencies.add(System.nanoTime() - t0);
                }
                return latencies;
              }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> f : work) {
      all.addAll(f.get());
    }
    pool.shutdown();
    Collections.sort(all);
    return new Round(
        all.size(),
        all.size() / (double) seconds,
        all.get(all.size() / 2) / 1e6,
        all.get((int) (all.size() * 0.99)) / 1e6);
  }

  private static Round median(List<Round> rounds) {
    List<Round> sorted = new ArrayList<>(rounds);
    sorted.sort((a, b) -> Double.compare(a.perSecond, b.perSecond));
    return sorted.get(sorted.size() / 2);
  }

  private static double medianOf(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
