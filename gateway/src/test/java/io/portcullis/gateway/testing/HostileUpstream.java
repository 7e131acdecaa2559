package io.portcullis.gateway.testing;

import io.portcullis.core.oci.Digest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream run by an attacker who knows the digests of another upstream's private blobs but not
 * their bytes (digests leak: SBOMs, logs, public manifests sharing layers). It claims every blob: a
 * HEAD answers 200 with the length it was {@linkplain #claim told} (1 KiB otherwise), a GET sends
 * that many bytes that are not the blob. It serves the manifests it is {@linkplain #manifest given}
 * (naming the private blobs), by tag and by digest, in any repository. {@code GET /v2/} answers
 * 200; anything else 404.
 */
public final class HostileUpstream extends LoopbackFake {
  private static final Pattern BLOB = Pattern.compile("/v2/.+/blobs/(sha256:[a-f0-9]{64})");
  private static final Pattern MANIFEST = Pattern.compile("/v2/.+/manifests/([^/]+)");

  private record Manifest(String mediaType, byte[] bytes, String digest) {}

  private final Map<String, Long> lengths = new ConcurrentHashMap<>();
  private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
  private final AtomicLong blobGets = new AtomicLong();

  private HostileUpstream() {}

  /** Starts on a free loopback port. */
  public static HostileUpstream start() {
    HostileUpstream fake = new HostileUpstream();
    fake.listen();
    return fake;
  }

  /** Claims {@code digest} with its true length, as one who read it in a manifest would. */
  public void claim(String digest, long length) {
    lengths.put(digest, length);
  }

  /** Serves {@code bytes} as the manifest tagged {@code tag}, and by its digest; returns that. */
  public String manifest(String tag, String mediaType, byte[] bytes) {
    Manifest m = new Manifest(mediaType, bytes.clone(), Digest.sha256(bytes).toString());
    manifests.put(tag, m);
    manifests.put(m.digest(), m);
    return m.digest();
  }

  /** Blob GETs received so far. */
  public long blobGets() {
    return blobGets.get();
  }

  @Override
  protected void answer(HttpServerRequest req) {
    var res = req.response().putHeader("Docker-Distribution-Api-Version", "registry/2.0");
    String path = req.path();
    Matcher blob = BLOB.matcher(path);
    Matcher manifest = MANIFEST.matcher(path);
    if (path.equals("/v2/")) {
      res.putHeader("Content-Type", "application/json").end("{}");
    } else if (blob.matches()) {
      long length = lengths.getOrDefault(blob.group(1), 1024L);
      res.putHeader("Content-Type", "application/octet-stream")
          .putHeader("Docker-Content-Digest", blob.group(1))
          .putHeader("Content-Length", Long.toString(length));
      if (req.method() == HttpMethod.GET) {
        blobGets.incrementAndGet();
        byte[] wrong = new byte[(int) length];
        Arrays.fill(wrong, (byte) 'x');
        res.end(Buffer.buffer(wrong));
      } else {
        res.end();
      }
    } else if (manifest.matches() && manifests.containsKey(manifest.group(1))) {
      Manifest m = manifests.get(manifest.group(1));
      res.putHeader("Content-Type", m.mediaType())
          .putHeader("Docker-Content-Digest", m.digest())
          .putHeader("Content-Length", Integer.toString(m.bytes().length));
      if (req.method() == HttpMethod.GET) {
        res.end(Buffer.buffer(m.bytes()));
      } else {
        res.end();
      }
    } else {
      notFound(res);
    }
  }
}
