package io.portcullis.gateway.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One blob download by {@code curl -o /dev/null}, as the benchmarks time it: the same client for
 * every peer, outside the JVM that drives the run, so neither side pays for the other's client.
 *
 * @param seconds from the start of the request to the last byte
 * @param firstByteSeconds from the start of the request to the first byte of the body (TTFB)
 * @param bytes how many bytes arrived (always the expected size: a short transfer throws)
 */
record CurlTransfer(double seconds, double firstByteSeconds, long bytes) {
  private static final double MIB = 1024 * 1024;

  double mibPerSecond() {
    return bytes / MIB / seconds;
  }

  double firstByteMillis() {
    return firstByteSeconds * 1000;
  }

  /** GETs {@code url}; throws unless all {@code size} bytes arrived with a 200. */
  static CurlTransfer get(String url, long size) throws IOException, InterruptedException {
    return finish(start(url), url, size);
  }

  /**
   * Starts a GET of {@code url} without waiting for it; {@code curlOptions} such as {@code
   * --limit-rate 1M} make a slow client.
   */
  static Process start(String url, String... curlOptions) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w"));
    cmd.add("%{http_code} %{size_download} %{time_total} %{time_starttransfer}");
    cmd.addAll(List.of(curlOptions));
    cmd.add(url);
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** Waits for a transfer {@link #start}ed earlier and checks it as {@link #get} does. */
  static CurlTransfer finish(Process curl, String url, long size)
      throws IOException, InterruptedException {
    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    curl.waitFor();
    String[] f = out.split(" ");
    if (f.length != 4 || !f[0].equals("200") || Long.parseLong(f[1]) != size) {
      throw new IllegalStateException("bad transfer of " + url + ": " + out);
    }
    return new CurlTransfer(Double.parseDouble(f[2]), Double.parseDouble(f[3]), size);
  }

  /**
   * GETs all {@code urls} at once, one curl each, each answering {@code size} bytes; returns the
   * aggregate MiB/s: all bytes over the time until the last transfer ended.
   */
  static double aggregate(List<String> urls, long size) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    List<Process> running = new ArrayList<>();
    for (String url : urls) {
      running.add(start(url));
    }
    for (int i = 0; i < urls.size(); i++) {
      finish(running.get(i), urls.get(i), size);
    }
    return urls.size() * (size / MIB) / ((System.nanoTime() - t0) / 1e9);
  }
}
