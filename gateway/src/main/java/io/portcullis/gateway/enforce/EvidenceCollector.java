package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.policy.CosignSignatures;
import io.portcullis.core.policy.Evidence;
import io.portcullis.core.policy.NotationSignature;
import io.portcullis.core.policy.SignatureType;
import io.portcullis.gateway.upstream.UpstreamArtifacts;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fetches, asynchronously and only what the policy needs, the trust data about one image digest:
 * cosign's {@code sha256-<hex>.sig} manifest with its layer blobs, and Notary Project signatures
 * found through the referrers API or its tag fallback. The evaluator then works on this evidence
 * without I/O. Sizes are capped so a hostile upstream cannot make the gateway buffer much.
 */
final class EvidenceCollector {
  static final String NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";
  private static final int MAX_SIGNATURE_BLOB = 1024 * 1024;
  private static final int MAX_SIGNATURES = 32;
  private static final String MANIFEST_ACCEPT =
      MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST;

  Future<Evidence> collect(UpstreamRoute route, Digest image, Set<SignatureType> types) {
    Future<List<CosignSignatures>> cosign =
        types.contains(SignatureType.COSIGN)
            ? attachments(route, image, ".sig")
            : Future.succeededFuture(List.of());
    Future<List<NotationSignature>> notation =
        types.contains(SignatureType.NOTATION)
            ? notation(route, image)
            : Future.succeededFuture(List.of());
    return Future.all(cosign, notation)
        .map(v -> new Evidence(route.canonicalName(), image, cosign.result(), notation.result()));
  }

  /**
   * A cosign attachment of the image: its {@code sha256-<hex>.sig} signatures or {@code .att}
   * attestations, as the manifest and its (small) layer blobs.
   */
  private Future<List<CosignSignatures>> attachments(
      UpstreamRoute route, Digest image, String suffix) {
    return UpstreamArtifacts.manifest(route, image.referrersTag() + suffix, MANIFEST_ACCEPT)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(List.of());
              }
              ImageManifest sig = ManifestCodec.readManifest(found.get().bytes());
              List<Descriptor> layers = sig.layers().stream().limit(MAX_SIGNATURES).toList();
              Map<Digest, byte[]> blobs = new LinkedHashMap<>();
              List<Future<byte[]>> fetches = new ArrayList<>();
              for (Descriptor layer : layers) {
                if (layer.size() <= MAX_SIGNATURE_BLOB) {
                  Digest d = layer.parsedDigest();
                  fetches.add(
                      UpstreamArtifacts.blob(route, d, MAX_SIGNATURE_BLOB)
                          .onSuccess(bytes -> put(blobs, d, bytes)));
                }
              }
              return Future.all(fetches)
                  .map(v -> List.of(new CosignSignatures(sig, Map.copyOf(blobs))));
            });
  }

  private Future<List<NotationSignature>> notation(UpstreamRoute route, Digest image) {
    return UpstreamArtifacts.referrers(route, image, NOTARY_SIGNATURE)
        .compose(
            found -> {
              var index =
                  found.filtered()
                      ? found.index()
                      : UpstreamArtifacts.filter(found.index(), NOTARY_SIGNATURE);
              List<Future<Optional<NotationSignature>>> each =
                  index.manifests().stream()
                      .limit(MAX_SIGNATURES)
                      .map(d -> notationSignature(route, d))
                      .toList();
              return Future.all(each)
                  .map(v -> each.stream().map(Future::result).flatMap(Optional::stream).toList());
            });
  }

  private Future<Optional<NotationSignature>> notationSignature(
      UpstreamRoute route, Descriptor descriptor) {
    return UpstreamArtifacts.manifest(route, descriptor.digest(), MediaTypes.OCI_MANIFEST)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
              }
              ImageManifest m = ManifestCodec.readManifest(found.get().bytes());
              if (m.layers().isEmpty() || m.layers().get(0).size() > MAX_SIGNATURE_BLOB) {
                return Future.succeededFuture(Optional.empty());
              }
              Descriptor envelope = m.layers().get(0);
              return UpstreamArtifacts.blob(route, envelope.parsedDigest(), MAX_SIGNATURE_BLOB)
                  .map(
                      bytes ->
                          Optional.of(
                              new NotationSignature(
                                  found.get().bytes(), envelope.mediaType(), bytes)));
            });
  }

  private static synchronized void put(Map<Digest, byte[]> blobs, Digest d, byte[] bytes) {
    blobs.put(d, bytes);
  }
}
