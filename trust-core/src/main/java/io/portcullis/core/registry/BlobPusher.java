package io.portcullis.core.registry;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A monolithic blob upload: POST to open a session, then one PUT with the content and its digest
 * (<a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#post-then-put">POST
 * then PUT</a>). Skipped when the registry already has the blob. Meant for the small blobs the CLI
 * writes (signature payloads, predicates, empty configs).
 */
final class BlobPusher {
  private final RegistryTransport transport;
  private final BlobPuller puller;

  BlobPusher(RegistryTransport transport, BlobPuller puller) {
    this.transport = transport;
    this.puller = puller;
  }

  Descriptor push(RemoteRepository repo, byte[] content, String mediaType) {
    Digest digest = Digest.sha256(content);
    Descriptor descriptor = Descriptor.of(mediaType, digest, content.length);
    if (puller.exists(repo, digest)) {
      return descriptor;
    }
    String what = "upload of blob " + digest + " to " + repo;
    HttpResponse<InputStream> opened =
        transport.send(
            new RegistryTransport.Call(
                repo,
                RegistryTransport.Access.PUSH,
                "POST",
                "/v2/" + repo.name() + "/blobs/uploads/",
                Map.of(),
                BodyPublishers.noBody(),
                what));
    if (opened.statusCode() != 202) {
      throw ResponseBodies.failure(opened, what);
    }
    ResponseBodies.discard(opened);
    String location =
        opened
            .headers()
            .firstValue("Location")
            .orElseThrow(() -> new RegistryProtocolException(what + ": no upload Location"));
    String target =
        location
            + (location.contains("?") ? "&" : "?")
            + "digest="
            + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8);
    HttpResponse<InputStream> done =
        transport.send(
            new RegistryTransport.Call(
                repo,
                RegistryTransport.Access.PUSH,
                "PUT",
                target,
                Map.of("Content-Type", "application/octet-stream"),
                BodyPublishers.ofByteArray(content),
                what));
    if (done.statusCode() != 201 && done.statusCode() != 204) {
      throw ResponseBodies.failure(done, what);
    }
    ResponseBodies.discard(done);
    return descriptor;
  }
}
