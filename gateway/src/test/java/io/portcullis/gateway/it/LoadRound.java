package io.portcullis.gateway.it;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One timed round of closed-loop load, as the benchmarks measure it: each of some threads sends a
 * request, waits for the answer and sends the next, for a fixed time.
 *
 * @param count how many requests were answered
 * @param perSecond answered requests per second
 * @param p50 median latency in milliseconds
 * @param p99 99th-percentile latency in milliseconds
 */
record LoadRound(long count, double perSecond, double p50, double p99) {

  /**
   * Sends {@code request} from {@code threads} threads for {@code seconds}; each answer is a 200.
   */
  static LoadRound run(HttpClient http, HttpRequest request, int seconds, int threads)
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
                  check(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
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
    return new LoadRound(
        all.size(),
        all.size() / (double) seconds,
        all.get(all.size() / 2) / 1e6,
        all.get((int) (all.size() * 0.99)) / 1e6);
  }

  /** Throws unless {@code r} is a 200: a benchmark of errors measures nothing. */
  static void check(HttpResponse<?> r) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException(r.request().uri() + " answered " + r.statusCode());
    }
  }

  /** The round with the median rate of {@code rounds} (the upper one of an even count). */
  static LoadRound medianRound(List<LoadRound> rounds) {
    List<LoadRound> sorted = new ArrayList<>(rounds);
    sorted.sort((a, b) -> Double.compare(a.perSecond(), b.perSecond()));
    return sorted.get(sorted.size() / 2);
  }

  /** The median of {@code values} (the upper one of an even count). */
  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
