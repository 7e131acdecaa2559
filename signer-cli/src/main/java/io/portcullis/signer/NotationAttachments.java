package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.registry.PushedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RemoteRepository;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Notary Project's registry layout (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage">signature
 * specification, storage</a>): a signature is an OCI manifest with {@code artifactType} {@code
 * application/vnd.cncf.notary.signature}, an empty config, the envelope as its only layer, and the
 * signed image as {@code subject}. Found again through the referrers API or its tag fallback.
 */
final class NotationAttachments {
  static final String ARTIFACT_TYPE = "application/vnd.cncf.notary.signature";
  static final String JWS_MEDIA_TYPE = "application/jose+json";
  static final String THUMBPRINTS = "io.cncf.notary.x509chain.thumbprint#S256";

  private static final long MAX_ENVELOPE_BYTES = 4L * 1024 * 1024;
  private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);

  /** One signature found for an image: its manifest digest and envelope bytes. */
  record Found(Digest manifest, String mediaType, byte[] envelope) {}

  private final RegistryClient client;

  NotationAttachments(RegistryClient client) {
    this.client = client;
  }

  /**
   * Pushes {@code envelope} as a signature of {@code subject}.
   *
   * @param thumbprints hex SHA-256 of each certificate in the signing chain, leaf first
   */
  PushedManifest push(
      RemoteRepository repo,
      Descriptor subject,
      byte[] envelope,
      String envelopeMediaType,
      List<String> thumbprints) {
    Descriptor config = client.pushBlob(repo, EMPTY_CONFIG, MediaTypes.OCI_EMPTY);
    Descriptor layer = client.pushBlob(repo, envelope, envelopeMediaType);
    ImageManifest manifest =
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            ARTIFACT_TYPE,
            config,
            List.of(layer),
            new Descriptor(
                subject.mediaType(), subject.digest(), subject.size(), null, null, null, null),
            Map.of(THUMBPRINTS, json(thumbprints)));
    return client.pushManifest(repo, ManifestCodec.write(manifest), MediaTypes.OCI_MANIFEST);
  }

  /** Every Notary Project signature of {@code subject} with its envelope. */
  List<Found> list(RemoteRepository repo, Digest subject) {
    List<Found> found = new ArrayList<>();
    for (Descriptor referrer :
        client.referrers(repo, subject, Optional.of(ARTIFACT_TYPE)).manifests()) {
      ImageManifest manifest =
          client.getManifest(repo, Reference.of(referrer.parsedDigest())).asManifest();
      Descriptor subjectOfManifest = manifest.subject();
      if (subjectOfManifest == null || !subject.toString().equals(subjectOfManifest.digest())) {
        continue; // an index entry that lies about its subject is not a signature of this image
      }
      for (Descriptor layer : manifest.layers()) {
        byte[] envelope = client.fetchBlob(repo, layer.parsedDigest(), MAX_ENVELOPE_BYTES);
        found.add(new Found(referrer.parsedDigest(), layer.mediaType(), envelope));
      }
    }
    return found;
  }

  private static String json(List<String> values) {
    return new String(ManifestCodec.write(values), StandardCharsets.UTF_8);
  }
}
