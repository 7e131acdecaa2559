package io.portcullis.core.registry;

import io.portcullis.core.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Map;

/**
 * HEAD and GET of {@code /v2/<name>/blobs/<digest>} (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs">pulling
 * blobs</a>). The digest is computed while the bytes stream, and a mismatch is an error even after
 * the bytes were written, so a caller must discard what it received when this throws.
 */
final class BlobPuller {
  private static final int BUFFER = 64 * 1024;

  private final RegistryTransport transport;

  BlobPuller(RegistryTransport transport) {
    this.transport = transport;
  }

  boolean exists(RemoteRepository repo, Digest digest) {
    String what = "blob " + repo + "@" + digest;
    HttpResponse<InputStream> response = transport.send(call(repo, digest, "HEAD", what));
    ResponseBodies.discard(response);
    return switch (response.statusCode()) {
      case 200 -> true;
      case 404 -> false;
      default -> throw ResponseBodies.failure(response, what);
    };
  }

  /** Streams the blob into {@code out}, at most {@code cap} bytes; returns the byte count. */
  long fetch(RemoteRepository repo, Digest digest, OutputStream out, long cap) {
    String what = "blob " + repo + "@" + digest;
    HttpResponse<InputStream> response = transport.send(call(repo, digest, "GET", what));
    if (response.statusCode() != 200) {
      throw ResponseBodies.failure(response, what);
    }
    MessageDigest md = digest.newMessageDigest();
    long total = 0;
    try (InputStream in = response.body()) {
      byte[] buffer = new byte[BUFFER];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
        if (total > cap) {
          throw new RegistryProtocolException(what + " is larger than the " + cap + "-byte limit");
        }
        md.update(buffer, 0, n);
        writeTo(out, buffer, n);
      }
    } catch (IOException e) {
      throw new RegistryUnreachableException(what + ": connection lost while reading", e);
    }
    if (!digest.matches(md.digest())) {
      throw new RegistryProtocolException(what + ": content does not match its digest");
    }
    return total;
  }

  byte[] fetch(RemoteRepository repo, Digest digest, long cap) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    fetch(repo, digest, out, cap);
    return out.toByteArray();
  }

  private static void writeTo(OutputStream out, byte[] buffer, int n) {
    try {
      out.write(buffer, 0, n);
    } catch (IOException e) {
      // a local write failure is not the registry's fault: keep it apart from "unreachable"
      throw new UncheckedIOException(e);
    }
  }

  private static RegistryTransport.Call call(
      RemoteRepository repo, Digest digest, String method, String what) {
    return new RegistryTransport.Call(
        repo,
        RegistryTransport.Access.PULL,
        method,
        "/v2/" + repo.name() + "/blobs/" + digest,
        Map.of(),
        null,
        what);
  }
}
