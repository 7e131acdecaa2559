package io.portcullis.signer;

import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
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
  private static final long MAX_ENVELOPE_BYTES = 4L * 1024 * 1024;

  /** One signature of an image: its manifest and envelope bytes. */
  record Found(SignatureManifest manifest, byte[] envelope) {}

  private final RegistryClient client;

  NotationSignatureStore(RegistryClient client) {
    this.client = client;
  }

  PushedManifest push(RemoteRepository repo, SignatureManifest manifest, byte[] envelope) {
    client.pushBlob(repo, SignatureManifest.EMPTY_CONFIG, MediaTypes.OCI_EMPTY);
    client.pushBlob(repo, envelope, manifest.envelope().mediaType());
    return client.pushManifest(repo, manifest.bytes(), MediaTypes.OCI_MANIFEST);
  }

  /** Every signature manifest that names {@code subject}, with its envelope. */
  List<Found> list(RemoteRepository repo, Digest subject) {
    List<Found> found = new ArrayList<>();
    for (Descriptor referrer :
        client.referrers(repo, subject, Optional.of(SignatureManifest.ARTIFACT_TYPE)).manifests()) {
      byte[] bytes = client.getManifest(repo, Reference.of(referrer.parsedDigest())).bytes();
      SignatureManifest manifest = SignatureManifest.parse(bytes);
      if (!subject.toString().equals(manifest.subject().digest())) {
        continue; // an index entry that lies about its subject is not a signature of this image
      }
      byte[] envelope =
          client.fetchBlob(repo, manifest.envelope().parsedDigest(), MAX_ENVELOPE_BYTES);
      found.add(new Found(manifest, envelope));
    }
    return found;
  }
}
