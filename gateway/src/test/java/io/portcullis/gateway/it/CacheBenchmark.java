package io.portcullis.gateway.it;

import io.portcullis.testkit.RegistryProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prints what the pull-through cache saves, next to CNCF distribution's own pull-through mode in
 * the same run: upstream bytes for 8 concurrent cold clients of one blob, and warm throughput. The
 * gateway runs as its own JVM with {@code -Xmx128m}; blobs are generated, never held in memory.
 *
 * <p>Run: {@code mvn -B -q -pl gateway -am test-compile} then {@code java -cp ...
 * io.portcullis.gateway.it.CacheBenchmark [size-in-MiB] [rounds]} (see docs/cache.md).
 */
public final class CacheBenchmark {
  private static final int CLIENTS = 8;

  private CacheBenchmark() {}

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long size = mib * 1024 * 1024;
    Path dir = Files.createTempDirectory("portcullis-cache-bench");
    try (RegistryProcess origin = RegistryProcess.start()) {
      System.out.printf("generating and uploading two %d MiB blobs to docker-registry ...%n", mib);
      LargeBlob forGateway = LargeBlob.of(size, 1);
      LargeBlob forDistribution = LargeBlob.of(size, 2);
      forGateway.upload(Http.CLIENT, origin.url(), "bench/gw");
      forDistribution.upload(Http.CLIENT, origin.url(), "bench/dist");
      try (GatewayProcess gateway = GatewayProcess.inFrontOf(dir, origin.url(), "-Xmx128m");
          RegistryProcess distribution = RegistryProcess.builder().proxy(origin.url()).start()) {
        String gwPath = "/v2/bench/gw/blobs/" + forGateway.digest();
        String distPath = "/v2/bench/dist/blobs/" + forDistribution.digest();
        double gwCold = cold(gateway.url() + gwPath, forGateway);
        double distCold = cold(distribution.url() + distPath, forDistribution);
        long gwGets = origin.count("GET", gwPath);
        long distGets = origin.count("GET", distPath);
        List<Double> gw = new ArrayList<>();
        List<Double> dist = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          gw.add(warm(gateway.url() + gwPath, forGateway, mib));
          dist.add(warm(distribution.url() + distPath, forDistribution, mib));
        }
        System.out.printf("blob size: %d MiB; %d concurrent cold clients%n", mib, CLIENTS);
        System.out.printf(
            "cold, portcullis  : %d upstream GETs, %d MiB from upstream, all clients done in %.1f s%n",
            gwGets, gwGets * mib, gwCold);
        System.out.printf(
            "cold, distribution: %d upstream GETs, %d MiB from upstream, all clients done in %.1f s%n",
            distGets, distGets * mib, distCold);
        System.out.printf("warm, portcullis  : %8.1f MiB/s median %s%n", median(gw), gw);
        System.out.printf("warm, distribution: %8.1f MiB/s median %s%n", median(dist), dist);
      }
    }
  }

  private static double cold(String url, LargeBlob blob) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    long t0 = System.nanoTime();
    try {
      List<Future<LargeBlob.Received>> all = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        all.add(pool.submit(() -> LargeBlob.fetch(Http.CLIENT, url)));
      }
      for (var f : all) {
        check(f.get(), blob);
      }
    } finally {
      pool.shutdownNow();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double warm(String url, LargeBlob blob, long mib) throws Exception {
    LargeBlob.Received r = check(LargeBlob.fetch(Http.CLIENT, url), blob);
    return Math.round(mib / r.seconds() * 10) / 10.0;
  }

  private static LargeBlob.Received check(LargeBlob.Received r, LargeBlob blob) {
    if (r.status() != 200 || !r.digest().equals(blob.digest())) {
      throw new IllegalStateException("bad transfer: " + r);
    }
    return r;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
