package io.portcullis.signer;

import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.notation.EnvelopeException;
import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.policy.CosignSignatures;
import io.portcullis.core.policy.Evidence;
import io.portcullis.core.policy.ImageConfigEvidence;
import io.portcullis.core.policy.NotationSignature;
import io.portcullis.core.policy.Policy;
import io.portcullis.core.policy.SignatureType;
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
 * the referrers API (or its tag fallback) with their envelopes; and, for policies with vetting
 * rules, the image config(s) (from the manifest already fetched) and the {@code sha256-<hex>.att}
 * attestations with their envelopes. Registry failures propagate as {@code RegistryException}s
 * ("could not verify"); a malformed signature is evidence, not a failure, and the evaluator reports
 * it.
 */
final class PolicyEvidence {
  private static final long MAX_ENVELOPE_BYTES = 4L * 1024 * 1024;

  private final RegistryClient client;

  PolicyEvidence(RegistryClient client) {
    this.client = client;
  }

  /**
   * Everything {@code policy} reads: its signature formats, the image config(s) when it has config
   * or base image rules, and the {@code .att} attestations when it has attestation rules.
   */
  Evidence collect(ResolvedImage.Fetched fetched, String scopePath, Policy policy) {
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
    return new Evidence(scopePath, target.digest(), cosign, notation, configs, attestations);
  }

  private List<CosignSignatures> cosign(ResolvedImage target) {
    return attachments(
        target, AttachmentManifest.SIGNATURE_SUFFIX, SimpleSigningPayload.MEDIA_TYPE);
  }

  /**
   * The attachment manifest at {@code sha256-<hex><suffix>} with its layers of {@code mediaType}.
   */
  private List<CosignSignatures> attachments(
      ResolvedImage target, String suffix, String mediaType) {
    CosignAttachmentStore store = new CosignAttachmentStore(client);
    Optional<ImageManifest> manifest =
        store.read(target.repository(), CosignAttachmentStore.tag(target.digest(), suffix));
    if (manifest.isEmpty()) {
      return List.of();
    }
    Map<Digest, byte[]> blobs = new HashMap<>();
    for (Descriptor layer : manifest.get().layers()) {
      if (mediaType.equals(layer.mediaType())) {
        Digest digest = layer.parsedDigest();
        blobs.put(
            digest,
            client.fetchBlob(target.repository(), digest, CosignAttachmentStore.MAX_LAYER_BYTES));
      }
    }
    return List.of(new CosignSignatures(manifest.get(), blobs));
  }

  private List<CosignSignatures> attestations(ResolvedImage target) {
    return attachments(target, AttachmentManifest.ATTESTATION_SUFFIX, DsseEnvelope.MEDIA_TYPE);
  }

  private List<NotationSignature> notation(RemoteRepository repo, Digest subject) {
    List<NotationSignature> found = new ArrayList<>();
    for (Descriptor referrer :
        client.referrers(repo, subject, Optional.of(SignatureManifest.ARTIFACT_TYPE)).manifests()) {
      byte[] bytes = client.getManifest(repo, Reference.of(referrer.parsedDigest())).bytes();
      SignatureManifest manifest;
      try {
        manifest = SignatureManifest.parse(bytes);
      } catch (EnvelopeException e) {
        // the evaluator parses it again and reports why it is not a signature
        found.add(new NotationSignature(bytes, "", new byte[0]));
        continue;
      }
      byte[] envelope =
          client.fetchBlob(repo, manifest.envelope().parsedDigest(), MAX_ENVELOPE_BYTES);
      found.add(new NotationSignature(bytes, manifest.envelope().mediaType(), envelope));
    }
    return found;
  }
}
