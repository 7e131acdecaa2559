package io.portcullis.gateway.it;

import io.portcullis.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A large blob that never exists as a whole anywhere in the test: its bytes come from a seeded
 * generator, so it can be hashed, uploaded and compared as a stream.
 */
public record LargeBlob(long size, long seed, Digest digest) {
  private static final int CHUNK = 64 * 1024;

  public static LargeBlob of(long size, long seed) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = stream(size, seed)) {
      byte[] buf = new byte[CHUNK];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return new LargeBlob(size, seed, new Digest("sha256", HexFormat.of().formatHex(md.digest())));
  }

  public InputStream open() {
    return stream(size, seed);
  }

  /** Pushes the blob to a registry (POST then a streamed monolithic PUT). */
  public void upload(HttpClient http, String registryUrl, String repository)
      throws IOException, InterruptedException {
    HttpResponse<Void> start =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(registryUrl + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (start.statusCode() != 202) {
      throw new IOException("upload start answered " + start.statusCode());
    }
    String location = start.headers().firstValue("Location").orElseThrow();
    URI target = URI.create(registryUrl).resolve(location);
    String sep = target.getRawQuery() == null ? "?" : "&";
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create(target + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(this::open), size))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (put.statusCode() != 201) {
      throw new IOException("upload answered " + put.statusCode() + ": " + put.body());
    }
  }

  /** What a streamed download delivered: its length and digest. */
  public record Received(int status, long bytes, Digest digest, double seconds) {}

  /** Downloads {@code url}, hashing and discarding the bytes. */
  public static Received fetch(HttpClient http, String url)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    MessageDigest md = sha256();
    long total = 0;
    try (InputStream in = r.body()) {
      byte[] buf = new byte[CHUNK];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        total += n;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Received(
        r.statusCode(),
        total,
        new Digest("sha256", HexFormat.of().formatHex(md.digest())),
        seconds);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InputStream stream(long size, long seed) {
    return new InputStream() {
      private final SplittableRandom random = new SplittableRandom(seed);
      private long left = size;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
          long v = random.nextLong();
          for (int k = 0; k < 8; k++) {
            b[off + i + k] = (byte) (v >>> (8 * k));
          }
        }
        for (; i < n; i++) {
          b[off + i] = (byte) random.nextInt(256);
        }
        left -= n;
        return n;
      }
    };
  }
}
