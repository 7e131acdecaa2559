package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.policy.AttestationBudget;
import io.portcullis.core.policy.CosignSignatures;
import io.portcullis.core.policy.DctEvidence;
import io.portcullis.core.policy.Evidence;
import io.portcullis.core.policy.ImageConfigEvidence;
import io.portcullis.core.policy.NotationSignature;
import io.portcullis.core.policy.Policy;
import io.portcullis.core.policy.SignatureBudget;
import io.portcullis.core.policy.SignatureType;
import io.portcullis.core.policy.SigstoreBundleEvidence;
import io.portcullis.core.policy.TrustPolicy;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Fetches, asynchronously and only what the policy needs, the trust data about one image: cosign's
 * {@code sha256-<hex>.sig} manifest with its layer blobs, Notary Project signatures found through
 * the referrers API or its tag fallback, Sigstore bundles stored as referrers (cosign v3, GitHub
 * artifact attestations), and for vetting rules the image config(s) (see {@link ImageConfigs}) and
 * the {@code sha256-<hex>.att} attestations with their DSSE envelopes, and for {@code dct}
 * requirements the Notary v1 targets that name the image ({@link DctTrust}). The evaluator then
 * works on this evidence without I/O. Counts and sizes are capped, by trust-core's {@link
 * SignatureBudget} and {@link AttestationBudget} that {@code portcullis-signer verify} uses too, so
 * a hostile upstream cannot make the gateway buffer much.
 */
final class EvidenceCollector {
  static final String NOTARY_SIGNATURE = "application/vnd.cncf.notary.signature";

  static final String MANIFEST_ACCEPT = MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST;

  private final DctTrust dct;

  EvidenceCollector(DctTrust dct) {
    this.dct = dct;
  }

  /**
   * Everything {@code policy} reads about {@code manifest}, the exact bytes the decision is made on
   * (never fetched a second time): signatures always, configs and attestations when its vetting
   * rules read them.
   */
  Future<Evidence> collect(
      UpstreamRoute route, Fetched manifest, Policy policy, TrustPolicy trust) {
    Digest image = manifest.digest();
    Set<SignatureType> types = policy.signatureTypes();
    Future<List<CosignSignatures>> cosign =
        types.contains(SignatureType.COSIGN)
            ? attachments(route, image, ".sig", EvidenceCollector::signatureLayers)
            : Future.succeededFuture(List.of());
    Future<List<NotationSignature>> notation =
        types.contains(SignatureType.NOTATION)
            ? notation(route, image)
            : Future.succeededFuture(List.of());
    Future<List<ImageConfigEvidence>> configs =
        policy.needsImageConfig()
            ? ImageConfigs.fetch(route, manifest)
            : Future.succeededFuture(List.of());
    Future<List<CosignSignatures>> attestations =
        policy.needsAttestations()
            ? attachments(route, image, ".att", EvidenceCollector::attestationLayers)
            : Future.succeededFuture(List.of());
    Future<List<SigstoreBundleEvidence>> bundles =
        policy.needsBundles() ? bundles(route, image) : Future.succeededFuture(List.of());
    Future<List<DctEvidence>> dctEvidence =
        types.contains(SignatureType.DCT)
            ? dct.evidence(route, trust, policy, image)
            : Future.succeededFuture(List.of());
    return Future.all(List.of(cosign, notation, configs, attestations, bundles, dctEvidence))
        .map(
            v ->
                new Evidence(
                    route.canonicalName(),
                    image,
                    cosign.result(),
                    notation.result(),
                    configs.result(),
                    attestations.result(),
                    bundles.result(),
                    dctEvidence.result()));
  }

  /**
   * The Sigstore bundles stored as referrers of the image (cosign v3 signatures and attestations,
   * GitHub artifact attestations), through the referrers API or its {@code sha256-<hex>} tag
   * fallback: the first {@link SignatureBudget#MAX_SIGNATURES} bundle referrers, each bundle layer
   * capped at its declared size within {@link SignatureBudget#MAX_SIGNATURE_BYTES}.
   */
  private Future<List<SigstoreBundleEvidence>> bundles(UpstreamRoute route, Digest image) {
    return route
        .artifacts()
        .referrers(route, image, null)
        .compose(
            found -> {
              List<Future<Optional<SigstoreBundleEvidence>>> each =
                  SignatureBudget.bundleReferrers(found.index().manifests()).stream()
                      .map(d -> bundle(route, d))
                      .toList();
              return Future.all(each)
                  .map(v -> each.stream().map(Future::result).flatMap(Optional::stream).toList());
            });
  }

  private Future<Optional<SigstoreBundleEvidence>> bundle(
      UpstreamRoute route, Descriptor referrer) {
    Digest manifestDigest;
    try {
      manifestDigest = referrer.parsedDigest();
    } catch (IllegalArgumentException malformed) {
      return Future.succeededFuture(Optional.empty()); // names nothing that could be fetched
    }
    return route
        .artifacts()
        .manifest(route, referrer.digest(), MediaTypes.OCI_MANIFEST)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
              }
              ImageManifest m;
              try {
                m = ManifestCodec.readManifest(found.get().bytes());
              } catch (IllegalArgumentException notAManifest) {
                return Future.succeededFuture(Optional.empty()); // not a bundle: no evidence
              }
              Optional<Descriptor> within = SignatureBudget.bundleLayer(m);
              if (within.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
              }
              Descriptor layer = within.get();
              Optional<String> predicate =
                  SigstoreBundleEvidence.announcedPredicateType(m, referrer);
              return route
                  .artifacts()
                  .blob(route, layer.parsedDigest(), (int) layer.size())
                  .map(
                      bytes ->
                          Optional.of(
                              new SigstoreBundleEvidence(
                                  manifestDigest, referrer.artifactType(), predicate, bytes)))
                  .recover(EvidenceCollector::noEvidenceIfItsBytesAreBad);
            });
  }

  /**
   * A bundle whose layer is missing, oversized or not the bytes its digest names is no evidence, as
   * a malformed one is: one broken referrer must not make every pull of the image "could not
   * verify" (503) when other signatures decide it. An unreachable upstream still fails the
   * collection, so a denial is never made (and cached) on evidence that could not be read.
   */
  private static Future<Optional<SigstoreBundleEvidence>> noEvidenceIfItsBytesAreBad(Throwable e) {
    if (e instanceof OciException oci
        && (oci.code() == OciErrorCode.DIGEST_INVALID
            || oci.code() == OciErrorCode.SIZE_INVALID
            || oci.code() == OciErrorCode.BLOB_UNKNOWN)) {
      return Future.succeededFuture(Optional.empty());
    }
    return Future.failedFuture(e);
  }

  /** A layer to fetch, with the most bytes the upstream may send for it. */
  record Wanted(Descriptor layer, int maxBytes) {}

  /**
   * A cosign attachment of the image: its {@code sha256-<hex>.sig} signatures or {@code .att}
   * attestations, as the manifest and the (small) layer blobs {@code select} picks.
   */
  private Future<List<CosignSignatures>> attachments(
      UpstreamRoute route,
      Digest image,
      String suffix,
      Function<ImageManifest, List<Wanted>> select) {
    return route
        .artifacts()
        .manifest(route, image.referrersTag() + suffix, MANIFEST_ACCEPT)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(List.of());
              }
              ImageManifest attached = ManifestCodec.readManifest(found.get().bytes());
              List<Future<Map.Entry<Digest, byte[]>>> fetches = new ArrayList<>();
              for (Wanted w : select.apply(attached)) {
                Digest d = w.layer().parsedDigest();
                fetches.add(
                    route
                        .artifacts()
                        .blob(route, d, w.maxBytes())
                        .map(bytes -> Map.entry(d, bytes)));
              }
              return Future.all(fetches)
                  .map(
                      v -> {
                        Map<Digest, byte[]> blobs = new HashMap<>();
                        fetches.forEach(f -> blobs.put(f.result().getKey(), f.result().getValue()));
                        return List.of(new CosignSignatures(attached, Map.copyOf(blobs)));
                      });
            });
  }

  /**
   * The simple-signing layers within {@link SignatureBudget}, the CLI's too; each is capped at its
   * declared size.
   */
  static List<Wanted> signatureLayers(ImageManifest sig) {
    return SignatureBudget.cosign(sig).layers().stream()
        .map(l -> new Wanted(l, (int) l.size()))
        .toList();
  }

  /**
   * The newest DSSE envelopes within {@link AttestationBudget}, the CLI's too; each is capped at
   * its declared size, so the budget holds whatever the upstream sends.
   */
  static List<Wanted> attestationLayers(ImageManifest att) {
    return AttestationBudget.select(att).layers().stream()
        .map(l -> new Wanted(l, (int) l.size()))
        .toList();
  }

  private Future<List<NotationSignature>> notation(UpstreamRoute route, Digest image) {
    return route
        .artifacts()
        .referrers(route, image, NOTARY_SIGNATURE)
        .compose(
            found -> {
              var index =
                  found.filtered()
                      ? found.index()
                      : UpstreamArtifacts.filter(found.index(), NOTARY_SIGNATURE);
              List<Future<Optional<NotationSignature>>> each =
                  SignatureBudget.notationReferrers(index.manifests()).stream()
                      .map(d -> notationSignature(route, d))
                      .toList();
              return Future.all(each)
                  .map(v -> each.stream().map(Future::result).flatMap(Optional::stream).toList());
            });
  }

  private Future<Optional<NotationSignature>> notationSignature(
      UpstreamRoute route, Descriptor descriptor) {
    return route
        .artifacts()
        .manifest(route, descriptor.digest(), MediaTypes.OCI_MANIFEST)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
              }
              ImageManifest m = ManifestCodec.readManifest(found.get().bytes());
              Optional<Descriptor> within = SignatureBudget.notationEnvelope(m);
              if (within.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
              }
              Descriptor envelope = within.get();
              return route
                  .artifacts()
                  .blob(route, envelope.parsedDigest(), (int) envelope.size())
                  .map(
                      bytes ->
                          Optional.of(
                              new NotationSignature(
                                  found.get().bytes(), envelope.mediaType(), bytes)));
            });
  }
}
