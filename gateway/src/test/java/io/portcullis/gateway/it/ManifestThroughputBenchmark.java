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
import java.util.List;

/**
 * Prints warm manifest pulls per second through one gateway process for a repository under an
 * enforcing cosign policy, as a ratio to a repository of the same gateway whose policy is {@code
 * off}, in the same run; and the cold cost of a first verification (fetching the signature and
 * checking it) against a first pull without a policy. The image is signed with the real CLI. Then
 * the CPU of a first keyless verification ({@link KeylessVerificationCost}).
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
        LoadRound warmUp = load(http, enforced, 2, threads);
        load(http, off, 2, threads);
        List<LoadRound> e = new ArrayList<>();
        List<LoadRound> o = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          o.add(load(http, off, seconds, threads));
          e.add(load(http, enforced, seconds, threads));
        }
        LoadRound me = LoadRound.medianRound(e);
        LoadRound mo = LoadRound.medianRound(o);
        System.out.printf(
            "warm manifest GETs, %d client threads, %d s rounds, median of 3 (warm-up %d req)%n",
            threads, seconds, warmUp.count());
        System.out.printf(
            "policy off     : %8.0f req/s  p50 %.2f ms  p99 %.2f ms%n",
            mo.perSecond(), mo.p50(), mo.p99());
        System.out.printf(
            "cosign enforced: %8.0f req/s  p50 %.2f ms  p99 %.2f ms%n",
            me.perSecond(), me.p50(), me.p99());
        System.out.printf("ratio enforced/off        : %.2f%n", me.perSecond() / mo.perSecond());
        System.out.printf(
            "cold first pull, off      : median %.1f ms %s%n",
            LoadRound.median(coldPlain), coldPlain);
        System.out.printf(
            "cold first pull, verified : median %.1f ms %s%n",
            LoadRound.median(coldSigned), coldSigned);
        System.out.printf(
            "cold cost of verification : %.1f ms%n",
            LoadRound.median(coldSigned) - LoadRound.median(coldPlain));
      }
    }
    KeylessVerificationCost.print(dir, 1000);
  }

  private static double timeOne(HttpClient http, String url) throws Exception {
    long t0 = System.nanoTime();
    LoadRound.check(http.send(request(url), HttpResponse.BodyHandlers.ofByteArray()));
    return Math.round((System.nanoTime() - t0) / 1e5) / 10.0;
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
        .build();
  }

  private static LoadRound load(HttpClient http, String url, int seconds, int threads)
      throws Exception {
    return LoadRound.run(http, request(url), seconds, threads);
  }
}
