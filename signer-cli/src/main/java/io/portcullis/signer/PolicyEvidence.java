package io.portcullis.signer;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.notation.EnvelopeException;
import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.Reference;
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
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RemoteRepository;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fetches the {@link Evidence} a policy evaluation needs, blockingly, from the registry: the cosign
 * {@code sha256-<hex>.sig} manifest and its layer blobs, and the Notary signatures found through
 * the referrers API (or its tag fallback) with their envelopes, both within the gateway's {@link
 * SignatureBudget}; and, for policies with vetting rules, the image config(s) (from the manifest
 * already fetched) and the newest {@code sha256-<hex>.att} attestation envelopes within the
 * gateway's {@link AttestationBudget}; and the Sigstore bundles stored as referrers (cosign v3,
 * GitHub artifact attestations) within the {@link SignatureBudget}. Registry failures propagate as
 * {@code RegistryException}s ("could not verify"); a malformed signature is evidence, not a
 * failure, and the evaluator reports it.
 */
final class PolicyEvidence {
  private final RegistryClient client;
  private final List<String> notes = new ArrayList<>();

  PolicyEvidence(RegistryClient client) {
    this.client = client;
  }

  /**
   * What {@link #collect} left out within its limits, one line each, e.g. signatures past the first
   * 32 or older attestations.
   */
  List<String> notes() {
    return List.copyOf(notes);
  }

  /**
   * Everything {@code policy} reads: its signature formats, the image config(s) when it has config
   * or base image rules, and the {@code .att} attestations when it has attestation rules; the
   * {@code dct} evidence, collected from Notary servers rather than the registry, is passed in.
   */
  Evidence collect(
      ResolvedImage.Fetched fetched, String scopePath, Policy policy, List<DctEvidence> dct) {
    ResolvedImage target = fetched.image();
    Set<SignatureType> types = policy.signatureTypes();
    List<CosignSignatures> cosign =
        types.contains(SignatureType.COSIGN) ? cosign(target) : List.of();
    List<NotationSignature> notation =
        types.contains(SignatureType.NOTATION)
            ? notation(target.repository(), target.digest())
            : List.of();
    List<ImageConfigEvidence> configs =
        policy.needsImageConfig()
            ? new ImageConfigFetcher(client).fetch(target.repository(), fetched.manifest())
            : List.of();
    List<CosignSignatures> attestations =
        policy.needsAttestations() ? attestations(target) : List.of();
    List<SigstoreBundleEvidence> bundles =
        policy.needsBundles() ? bundles(target.repository(), target.digest()) : List.of();
    return new Evidence(
        scopePath, target.digest(), cosign, notation, configs, attestations, bundles, dct);
  }

  /**
   * The Sigstore bundles the gateway would fetch, selected by {@link SigstoreBundleStore#list} (the
   * one selection of {@code verify --key} and {@code verify --policy}); what it left out is noted.
   */
  private List<SigstoreBundleEvidence> bundles(RemoteRepository repo, Digest subject) {
    SigstoreBundleStore.Listing listing = new SigstoreBundleStore(client).list(repo, subject);
    listing.note().ifPresent(note -> notes.add("signatures: " + note));
    listing.skipped().forEach(skipped -> notes.add("signatures: " + skipped));
    return listing.found();
  }

  /**
   * The {@code sha256-<hex>.sig} manifest with the simple-signing layers the gateway would fetch,
   * within the {@link SignatureBudget}; the evaluator reports the others as not fetched, as the
   * gateway's does.
   */
  private List<CosignSignatures> cosign(ResolvedImage target) {
    Optional<ImageManifest> manifest = attachment(target, AttachmentManifest.SIGNATURE_SUFFIX);
    if (manifest.isEmpty()) {
      return List.of();
    }
    SignatureBudget.Selection selection = SignatureBudget.cosign(manifest.get());
    selection.note().ifPresent(note -> notes.add("signatures: " + note));
    Map<Digest, byte[]> blobs = new HashMap<>();
    for (AttachmentLayer layer :
        new CosignAttachmentStore(client).signatures(target.repository(), selection)) {
      blobs.put(layer.descriptor().parsedDigest(), layer.content());
    }
    return List.of(new CosignSignatures(manifest.get(), blobs));
  }

  /**
   * The {@code sha256-<hex>.att} manifest with the envelopes the gateway would fetch: the newest
   * within the {@link AttestationBudget}, each capped at its declared size, so the CLI reads no
   * more than the gateway does and decides on the same ones.
   */
  private List<CosignSignatures> attestations(ResolvedImage target) {
    Optional<ImageManifest> manifest = attachment(target, AttachmentManifest.ATTESTATION_SUFFIX);
    if (manifest.isEmpty()) {
      return List.of();
    }
    AttestationBudget.Selection selection = AttestationBudget.select(manifest.get());
    selection.note().ifPresent(note -> notes.add("attestations: " + note));
    Map<Digest, byte[]> blobs = new HashMap<>();
    for (Descriptor layer : selection.layers()) {
      Digest digest = layer.parsedDigest();
      blobs.put(digest, client.fetchBlob(target.repository(), digest, layer.size()));
    }
    return List.of(new CosignSignatures(manifest.get(), blobs));
  }

  private Optional<ImageManifest> attachment(ResolvedImage target, String suffix) {
    return new CosignAttachmentStore(client)
        .read(target.repository(), CosignAttachmentStore.tag(target.digest(), suffix));
  }

  /**
   * The Notary signatures the gateway would fetch: the first referrers within the {@link
   * SignatureBudget}, less those whose envelope is declared over its cap (the gateway leaves them
   * out too), each envelope capped at its declared size.
   */
  private List<NotationSignature> notation(RemoteRepository repo, Digest subject) {
    List<Descriptor> referrers =
        client.referrers(repo, subject, Optional.of(SignatureManifest.ARTIFACT_TYPE)).manifests();
    List<Descriptor> selected = SignatureBudget.notationReferrers(referrers);
    int leftOut = referrers.size() - selected.size();
    List<NotationSignature> found = new ArrayList<>();
    for (Descriptor referrer : selected) {
      byte[] bytes = client.getManifest(repo, Reference.of(referrer.parsedDigest())).bytes();
      SignatureManifest manifest;
      try {
        manifest = SignatureManifest.parse(bytes);
      } catch (EnvelopeException e) {
        // the evaluator parses it again and reports why it is not a signature
        found.add(new NotationSignature(bytes, "", new byte[0]));
        continue;
      }
      Optional<Descriptor> envelope = SignatureBudget.notationEnvelope(manifest.manifest());
      if (envelope.isEmpty()) {
        leftOut++;
        continue;
      }
      found.add(
          new NotationSignature(
              bytes,
              envelope.get().mediaType(),
              client.fetchBlob(repo, envelope.get().parsedDigest(), envelope.get().size())));
    }
    SignatureBudget.note(
            NotationSignatureStore.SIGNATURES,
            "first",
            referrers.size() - leftOut,
            referrers.size())
        .ifPresent(note -> notes.add("signatures: " + note));
    return found;
  }
}
