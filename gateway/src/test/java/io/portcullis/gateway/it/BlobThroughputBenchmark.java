package io.portcullis.gateway.it;

import io.portcullis.testkit.RegistryProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Prints blob throughput through the gateway as a ratio to fetching the same blob directly from the
 * upstream, measured in the same run on the same machine. The gateway runs as its own JVM with
 * {@code -Xmx128m}; the blob is generated, never held in memory.
 *
 * <p>Run: {@code scripts/bench-blob.sh [size-in-MiB] [rounds]}.
 */
public final class BlobThroughputBenchmark {
  private BlobThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long size = mib * 1024 * 1024;
    Path dir = Files.createTempDirectory("portcullis-bench");
    try (RegistryProcess registry = RegistryProcess.start()) {
      System.out.printf("generating and uploading a %d MiB blob to docker-registry ...%n", mib);
      LargeBlob blob = LargeBlob.of(size, 7);
      blob.upload(Http.CLIENT, registry.url(), "bench/blob");
      try (GatewayProcess gateway = GatewayProcess.inFrontOf(dir, registry.url(), "-Xmx128m")) {
        String path = "/v2/bench/blob/blobs/" + blob.digest();
        // One warm-up each, so neither side pays for JIT or page-cache misses in the figures.
        check(LargeBlob.fetch(Http.CLIENT, registry.url() + path), blob);
        check(LargeBlob.fetch(Http.CLIENT, gateway.url() + path), blob);
        List<Double> direct = new ArrayList<>();
        List<Double> proxied = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          direct.add(
              mibPerSecond(check(LargeBlob.fetch(Http.CLIENT, registry.url() + path), blob), mib));
          proxied.add(
              mibPerSecond(check(LargeBlob.fetch(Http.CLIENT, gateway.url() + path), blob), mib));
        }
        double d = median(direct);
        double p = median(proxied);
        System.out.printf("blob size                 : %d MiB, %d rounds (median)%n", mib, rounds);
        System.out.printf("direct from docker-registry: %8.1f MiB/s  %s%n", d, direct);
        System.out.printf("through portcullis -Xmx128m: %8.1f MiB/s  %s%n", p, proxied);
        System.out.printf("ratio gateway/direct       : %8.2f%n", p / d);
      }
    }
  }

  private static LargeBlob.Received check(LargeBlob.Received r, LargeBlob blob) {
    if (r.status() != 200 || !r.digest().equals(blob.digest())) {
      throw new IllegalStateException("bad transfer: " + r);
    }
    return r;
  }

  private static double mibPerSecond(LargeBlob.Received r, long mib) {
    return Math.round(mib / r.seconds() * 10) / 10.0;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
