package io.portcullis.signer;

import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.policy.SignatureBudget;
import io.portcullis.core.registry.PushedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RemoteRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pushes and finds Notary Project signatures (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage">signature
 * specification, storage</a>): a manifest with {@code subject} and the envelope as its layer, found
 * again through the referrers API or, on registries without it, the referrers tag that {@link
 * RegistryClient#pushManifest} maintains.
 */
final class NotationSignatureStore {
  /** What counts as Notary signatures in {@link SignatureBudget#note}. */
  static final String SIGNATURES = "Notary Project signatures";

  /** One signature of an image: its manifest and envelope bytes. */
  record Found(SignatureManifest manifest, byte[] envelope) {}

  /** The signatures found within the budget, and what it left out, when it left something. */
  record Listing(List<Found> found, Optional<String> note) {
    Listing {
      found = List.copyOf(found);
    }
  }

  private final RegistryClient client;

  NotationSignatureStore(RegistryClient client) {
    this.client = client;
  }

  PushedManifest push(RemoteRepository repo, SignatureManifest manifest, byte[] envelope) {
    client.pushBlob(repo, SignatureManifest.EMPTY_CONFIG, MediaTypes.OCI_EMPTY);
    client.pushBlob(repo, envelope, manifest.envelope().mediaType());
    return client.pushManifest(repo, manifest.bytes(), MediaTypes.OCI_MANIFEST);
  }

  /**
   * The signature manifests that name {@code subject}, with their envelopes, within the gateway's
   * {@link SignatureBudget}: the first referrers, each envelope declared within the cap and fetched
   * capped at its declared size.
   */
  Listing list(RemoteRepository repo, Digest subject) {
    List<Descriptor> referrers =
        client.referrers(repo, subject, Optional.of(SignatureManifest.ARTIFACT_TYPE)).manifests();
    List<Descriptor> selected = SignatureBudget.notationReferrers(referrers);
    int leftOut = referrers.size() - selected.size();
    List<Found> found = new ArrayList<>();
    for (Descriptor referrer : selected) {
      byte[] bytes = client.getManifest(repo, Reference.of(referrer.parsedDigest())).bytes();
      SignatureManifest manifest = SignatureManifest.parse(bytes);
      if (!subject.toString().equals(manifest.subject().digest())) {
        continue; // an index entry that lies about its subject is not a signature of this image
      }
      Optional<Descriptor> envelope = SignatureBudget.notationEnvelope(manifest.manifest());
      if (envelope.isEmpty()) {
        leftOut++;
        continue;
      }
      found.add(
          new Found(
              manifest,
              client.fetchBlob(repo, envelope.get().parsedDigest(), envelope.get().size())));
    }
    return new Listing(
        found,
        SignatureBudget.note(SIGNATURES, "first", referrers.size() - leftOut, referrers.size()));
  }
}
