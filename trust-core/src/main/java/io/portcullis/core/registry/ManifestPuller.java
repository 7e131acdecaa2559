package io.portcullis.core.registry;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.ManifestLimits;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;

/**
 * GET and HEAD of {@code /v2/<name>/manifests/<reference>} (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests">pulling
 * manifests</a>). Bodies are capped and kept as exact bytes; the digest is computed over them and
 * must equal the one requested, or the one the registry claims in {@code Docker-Content-Digest}.
 */
final class ManifestPuller {
  static final String ACCEPT = String.join(", ", MediaTypes.MANIFEST_TYPES);

  private final RegistryTransport transport;

  ManifestPuller(RegistryTransport transport) {
    this.transport = transport;
  }

  FetchedManifest get(RemoteRepository repo, Reference ref) {
    String what = "manifest " + repo + (ref.isDigest() ? "@" : ":") + ref;
    HttpResponse<InputStream> response = transport.send(call(repo, ref, "GET", what));
    if (response.statusCode() != 200) {
      throw ResponseBodies.failure(response, what);
    }
    byte[] bytes = ResponseBodies.read(response, ManifestLimits.MAX_BYTES, what);
    Digest digest = verifiedDigest(ref, claimedDigest(response), bytes, what);
    return new FetchedManifest(digest, mediaTypeOf(response, bytes), bytes);
  }

  /** The descriptor of the manifest, or empty when the registry has none under {@code ref}. */
  Optional<Descriptor> head(RemoteRepository repo, Reference ref) {
    String what = "manifest " + repo + (ref.isDigest() ? "@" : ":") + ref;
    HttpResponse<InputStream> response = transport.send(call(repo, ref, "HEAD", what));
    if (response.statusCode() == 404) {
      ResponseBodies.discard(response);
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw ResponseBodies.failure(response, what);
    }
    ResponseBodies.discard(response);
    Optional<Digest> claimed = claimedDigest(response);
    Optional<String> type = contentType(response);
    long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (claimed.isEmpty() || type.isEmpty() || size < 0) {
      // the spec lets a HEAD omit these; a GET gives the truth at the cost of the body
      return Optional.of(get(repo, ref).descriptor());
    }
    if (ref.isDigest() && !ref.digest().orElseThrow().equals(claimed.get())) {
      throw new RegistryProtocolException(what + ": registry answered for " + claimed.get());
    }
    return Optional.of(Descriptor.of(type.get(), claimed.get(), size));
  }

  private static RegistryTransport.Call call(
      RemoteRepository repo, Reference ref, String method, String what) {
    return new RegistryTransport.Call(
        repo,
        RegistryTransport.Access.PULL,
        method,
        "/v2/" + repo.name() + "/manifests/" + ref,
        Map.of("Accept", ACCEPT),
        null,
        what);
  }

  static Digest verifiedDigest(Reference ref, Optional<Digest> claimed, byte[] bytes, String what) {
    if (ref.isDigest()) {
      Digest wanted = ref.digest().orElseThrow();
      Digest actual = Digest.of(wanted.algorithm(), bytes);
      if (!actual.equals(wanted)) {
        throw new RegistryProtocolException(what + ": content has digest " + actual);
      }
      return wanted;
    }
    Digest actual = Digest.sha256(bytes);
    if (claimed.isPresent()) {
      Digest c = claimed.get();
      Digest comparable = c.algorithm().equals("sha256") ? actual : Digest.of(c.algorithm(), bytes);
      if (!comparable.equals(c)) {
        throw new RegistryProtocolException(
            what + ": registry claims " + c + " but the content has digest " + comparable);
      }
    }
    return actual;
  }

  static Optional<Digest> claimedDigest(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Docker-Content-Digest")
        .filter(Digest::isDigest)
        .map(Digest::parse);
  }

  private static Optional<String> contentType(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Content-Type")
        .map(v -> v.split(";", 2)[0].strip())
        .filter(v -> !v.isEmpty() && !v.equals("application/json"));
  }

  private static String mediaTypeOf(HttpResponse<?> response, byte[] bytes) {
    return contentType(response)
        .or(() -> Optional.ofNullable(ManifestCodec.mediaTypeOf(bytes)))
        .orElse(MediaTypes.OCI_MANIFEST);
  }
}
