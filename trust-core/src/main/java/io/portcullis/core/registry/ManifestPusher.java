package io.portcullis.core.registry;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.Reference;
import java.io.InputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * {@code PUT /v2/<name>/manifests/<reference>} (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests">pushing
 * manifests</a>), sending the exact bytes given and checking the digest the registry reports.
 */
final class ManifestPusher {
  /** What a PUT answered: the descriptor of the bytes, and whether the registry saw a subject. */
  record Result(Descriptor descriptor, boolean subjectAcknowledged) {}

  private final RegistryTransport transport;

  ManifestPusher(RegistryTransport transport) {
    this.transport = transport;
  }

  Result put(RemoteRepository repo, Reference ref, byte[] bytes, String mediaType) {
    Digest digest = Digest.sha256(bytes);
    if (ref.isDigest() && !ref.digest().orElseThrow().equals(digest)) {
      throw new IllegalArgumentException(
          "manifest bytes have digest " + digest + ", not " + ref.digest().orElseThrow());
    }
    String what = "push of manifest " + repo + (ref.isDigest() ? "@" : ":") + ref;
    HttpResponse<InputStream> response =
        transport.send(
            new RegistryTransport.Call(
                repo,
                RegistryTransport.Access.PUSH,
                "PUT",
                "/v2/" + repo.name() + "/manifests/" + ref,
                Map.of("Content-Type", mediaType),
                BodyPublishers.ofByteArray(bytes),
                what));
    if (response.statusCode() != 201 && response.statusCode() != 200) {
      throw ResponseBodies.failure(response, what);
    }
    ResponseBodies.discard(response);
    ManifestPuller.claimedDigest(response)
        .filter(claimed -> claimed.algorithm().equals("sha256") && !claimed.equals(digest))
        .ifPresent(
            claimed -> {
              throw new RegistryProtocolException(
                  what + ": registry stored " + claimed + " but we sent " + digest);
            });
    boolean acknowledged = response.headers().firstValue("OCI-Subject").isPresent();
    return new Result(Descriptor.of(mediaType, digest, bytes.length), acknowledged);
  }
}
