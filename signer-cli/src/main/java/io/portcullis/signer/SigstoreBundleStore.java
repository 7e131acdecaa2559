package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.policy.SignatureBudget;
import io.portcullis.core.policy.SigstoreBundleEvidence;
import io.portcullis.core.registry.PushedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RemoteRepository;
import io.portcullis.core.sigstore.SigstoreBundle;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pushes and finds Sigstore bundles stored as OCI 1.1 referrers of an image, as cosign v3 does (<a
 * href="https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md">cosign bundle spec</a>):
 * a manifest with {@code artifactType} the bundle media type, the empty config, the bundle as its
 * one layer, {@code subject} the image, and annotations saying what the bundle holds. {@link
 * RegistryClient#pushManifest} maintains the {@code sha256-<hex>} referrers tag where the registry
 * has no referrers API; listing reads either.
 */
final class SigstoreBundleStore {
  static final String CONTENT = "dev.sigstore.bundle.content";
  static final String PREDICATE_TYPE = SigstoreBundleEvidence.PREDICATE_TYPE;
  static final String CREATED = "org.opencontainers.image.created";
  static final String TITLE = "org.opencontainers.image.title";

  /** What counts as bundles in {@link SignatureBudget#note}. */
  static final String BUNDLES = "Sigstore bundles";

  /** The bundles found within the budget, and what it left out. */
  record Listing(List<SigstoreBundleEvidence> found, List<String> skipped, Optional<String> note) {
    Listing {
      found = List.copyOf(found);
      skipped = List.copyOf(skipped);
    }
  }

  private final RegistryClient client;

  SigstoreBundleStore(RegistryClient client) {
    this.client = client;
  }

  /** The referrer manifest's bytes for {@code bundle} about {@code subject}. */
  static byte[] manifest(Descriptor subject, byte[] bundle, String predicateType, Instant now) {
    Digest bundleDigest = Digest.sha256(bundle);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(CONTENT, "dsse-envelope");
    annotations.put(PREDICATE_TYPE, predicateType);
    annotations.put(CREATED, now.truncatedTo(ChronoUnit.SECONDS).toString());
    ImageManifest manifest =
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            SigstoreBundle.MEDIA_TYPE_V03,
            Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(EMPTY_CONFIG), EMPTY_CONFIG.length),
            List.of(
                Descriptor.of(SigstoreBundle.MEDIA_TYPE_V03, bundleDigest, bundle.length)
                    .withAnnotations(
                        Map.of(
                            TITLE,
                            bundleDigest.algorithm()
                                + "-"
                                + bundleDigest.hex()
                                + ".sigstore.json"))),
            Descriptor.of(subject.mediaType(), subject.parsedDigest(), subject.size()),
            annotations);
    return ManifestCodec.write(manifest);
  }

  private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.US_ASCII);

  /** Pushes {@code bundle} as a referrer of {@code subject} in {@code repo}. */
  PushedManifest push(
      RemoteRepository repo, Descriptor subject, byte[] bundle, String predicateType) {
    client.pushBlob(repo, EMPTY_CONFIG, MediaTypes.OCI_EMPTY);
    client.pushBlob(repo, bundle, SigstoreBundle.MEDIA_TYPE_V03);
    return client.pushManifest(
        repo, manifest(subject, bundle, predicateType, Instant.now()), MediaTypes.OCI_MANIFEST);
  }

  /** What a push did, for the user: where the bundle is, and how it is found. */
  static String describe(ResolvedImage target, PushedManifest pushed, boolean logged) {
    return "bundle referrer "
        + target.repository()
        + "@"
        + pushed.descriptor().digest()
        + (logged ? ", logged in Rekor" : ", not logged in a transparency log")
        + (pushed.referrersTagUpdated()
            ? " (registry has no referrers API: listed in tag "
                + target.digest().referrersTag()
                + ")"
            : "");
  }

  /**
   * The bundle referrers of {@code subject} that the gateway would read ({@link
   * SignatureBudget#bundleReferrers}, {@link SignatureBudget#bundleLayer}): the first {@value
   * SignatureBudget#MAX_SIGNATURES}, each bundle declared within {@value
   * SignatureBudget#MAX_SIGNATURE_BYTES} bytes and fetched capped at its declared size. A referrer
   * that is not a bundle manifest of this subject is named in {@link Listing#skipped}.
   */
  Listing list(RemoteRepository repo, Digest subject) {
    List<Descriptor> all =
        client.referrers(repo, subject, Optional.empty()).manifests().stream()
            .filter(d -> SignatureBudget.isSigstoreBundle(d.artifactType()))
            .toList();
    List<Descriptor> selected = SignatureBudget.bundleReferrers(all);
    int leftOut = all.size() - selected.size();
    List<SigstoreBundleEvidence> found = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Descriptor referrer : selected) {
      Digest digest = referrer.parsedDigest();
      ImageManifest manifest;
      try {
        manifest =
            ManifestCodec.readManifest(client.getManifest(repo, Reference.of(digest)).bytes());
      } catch (IllegalArgumentException e) {
        skipped.add("referrer " + digest + ": not an image manifest: " + e.getMessage());
        continue;
      }
      if (manifest.subject() == null || !subject.toString().equals(manifest.subject().digest())) {
        skipped.add("referrer " + digest + " is not about " + subject);
        continue;
      }
      Optional<Descriptor> layer = SignatureBudget.bundleLayer(manifest);
      if (layer.isEmpty()) {
        leftOut++;
        continue;
      }
      found.add(
          new SigstoreBundleEvidence(
              digest,
              referrer.artifactType(),
              SigstoreBundleEvidence.announcedPredicateType(manifest, referrer),
              client.fetchBlob(repo, layer.get().parsedDigest(), layer.get().size())));
    }
    return new Listing(
        found, skipped, SignatureBudget.note(BUNDLES, "first", all.size() - leftOut, all.size()));
  }
}
