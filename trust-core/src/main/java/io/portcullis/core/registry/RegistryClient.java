package io.portcullis.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A blocking client for the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI distribution
 * spec</a>: manifests, blobs, tags and referrers. Each operation lives in its own small class; this
 * facade wires them to one {@link RegistryTransport} so authorization tokens are shared.
 *
 * <p>Thread-safe. Failures are {@link RegistryException} subclasses: {@link
 * RegistryNotFoundException}, {@link RegistryUnauthorizedException}, {@link
 * RegistryUnreachableException}, {@link RegistryProtocolException}.
 */
public final class RegistryClient {
  /** The default cap for {@link #fetchBlob(RemoteRepository, Digest)}. */
  public static final long DEFAULT_SMALL_BLOB_CAP = 16L * 1024 * 1024;

  private final ManifestPuller manifestPuller;
  private final ManifestPusher manifestPusher;
  private final BlobPuller blobPuller;
  private final BlobPusher blobPusher;
  private final TagLister tagLister;
  private final ReferrersLister referrersLister;

  private RegistryClient(RegistryTransport transport) {
    this.manifestPuller = new ManifestPuller(transport);
    this.manifestPusher = new ManifestPusher(transport);
    this.blobPuller = new BlobPuller(transport);
    this.blobPusher = new BlobPusher(transport, blobPuller);
    this.tagLister = new TagLister(transport);
    this.referrersLister = new ReferrersLister(transport, manifestPuller);
  }

  public static RegistryClient create(RegistryClientConfig config) {
    return new RegistryClient(new RegistryTransport(config));
  }

  /** The manifest's exact bytes; its digest is checked. Throws not-found when absent. */
  public FetchedManifest getManifest(RemoteRepository repo, Reference ref) {
    return manifestPuller.get(repo, ref);
  }

  public FetchedManifest getManifest(ImageReference image) {
    return getManifest(image.repository(), image.manifestReference());
  }

  /** The manifest's descriptor from a HEAD (falling back to GET), or empty when absent. */
  public Optional<Descriptor> headManifest(RemoteRepository repo, Reference ref) {
    return manifestPuller.head(repo, ref);
  }

  /**
   * The digest {@code image} names: its own digest when it has one (checked to exist), else what
   * its tag points at now. Throws {@link RegistryNotFoundException} when there is no such image.
   */
  public Digest resolve(ImageReference image) {
    return headManifest(image.repository(), image.manifestReference())
        .orElseThrow(() -> new RegistryNotFoundException("image " + image + " not found"))
        .parsedDigest();
  }

  /**
   * Pushes a manifest's exact bytes under a tag or its digest. When the manifest has a {@code
   * subject} and the registry does not answer with {@code OCI-Subject} (it has no referrers API),
   * the manifest is also added to the referrers tag index of that subject, as the <a
   * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests-with-subject">spec
   * asks of clients</a>. Concurrent pushers can race on that index; the spec accepts this.
   */
  public PushedManifest pushManifest(
      RemoteRepository repo, Reference ref, byte[] bytes, String mediaType) {
    ManifestPusher.Result result = manifestPusher.put(repo, ref, bytes, mediaType);
    Optional<Digest> subject = subjectOf(bytes);
    if (subject.isEmpty() || result.subjectAcknowledged()) {
      return new PushedManifest(result.descriptor(), false);
    }
    boolean changed = addToReferrersTag(repo, subject.get(), referrerDescriptor(result, bytes));
    return new PushedManifest(result.descriptor(), changed);
  }

  /** Pushes the manifest under its own digest. */
  public PushedManifest pushManifest(RemoteRepository repo, byte[] bytes, String mediaType) {
    return pushManifest(repo, Reference.of(Digest.sha256(bytes)), bytes, mediaType);
  }

  public boolean blobExists(RemoteRepository repo, Digest digest) {
    return blobPuller.exists(repo, digest);
  }

  /** Streams a blob to {@code out}, verifying its digest; discard the output if this throws. */
  public long fetchBlob(RemoteRepository repo, Digest digest, OutputStream out, long maxBytes) {
    return blobPuller.fetch(repo, digest, out, maxBytes);
  }

  /** A small blob in memory, verified, at most {@link #DEFAULT_SMALL_BLOB_CAP} bytes. */
  public byte[] fetchBlob(RemoteRepository repo, Digest digest) {
    return blobPuller.fetch(repo, digest, DEFAULT_SMALL_BLOB_CAP);
  }

  public byte[] fetchBlob(RemoteRepository repo, Digest digest, long maxBytes) {
    return blobPuller.fetch(repo, digest, maxBytes);
  }

  /** Uploads {@code content} unless the registry already has it; returns its descriptor. */
  public Descriptor pushBlob(RemoteRepository repo, byte[] content, String mediaType) {
    return blobPusher.push(repo, content, mediaType);
  }

  public List<Tag> listTags(RemoteRepository repo) {
    return tagLister.list(repo);
  }

  /**
   * The manifests that name {@code subject}, optionally only those of {@code artifactType}, from
   * the referrers API or else the referrers tag schema. Empty when there are none.
   */
  public ImageIndex referrers(
      RemoteRepository repo, Digest subject, Optional<String> artifactType) {
    return referrersLister.list(repo, subject, artifactType);
  }

  private boolean addToReferrersTag(RemoteRepository repo, Digest subject, Descriptor referrer) {
    ImageIndex current = referrersLister.tagIndex(repo, subject);
    if (current.manifests().stream().anyMatch(d -> d.digest().equals(referrer.digest()))) {
      return false;
    }
    List<Descriptor> manifests = new ArrayList<>(current.manifests());
    manifests.add(referrer);
    ImageIndex updated =
        new ImageIndex(2, MediaTypes.OCI_INDEX, null, manifests, null, current.annotations());
    manifestPusher.put(
        repo,
        Reference.of(Tag.of(subject.referrersTag())),
        ManifestCodec.write(updated),
        MediaTypes.OCI_INDEX);
    return true;
  }

  /** The descriptor the referrers spec lists: artifactType falls back to the config's type. */
  private static Descriptor referrerDescriptor(ManifestPusher.Result pushed, byte[] bytes) {
    JsonNode json = tree(bytes);
    String artifactType = json.path("artifactType").asText("");
    if (artifactType.isEmpty()) {
      artifactType = json.path("config").path("mediaType").asText("");
    }
    Map<String, String> annotations = new HashMap<>();
    json.path("annotations")
        .properties()
        .forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
    Descriptor d = pushed.descriptor().withAnnotations(annotations);
    return artifactType.isEmpty() ? d : d.withArtifactType(artifactType);
  }

  private static Optional<Digest> subjectOf(byte[] bytes) {
    JsonNode digest = tree(bytes).path("subject").path("digest");
    return digest.isTextual() && Digest.isDigest(digest.asText())
        ? Optional.of(Digest.parse(digest.asText()))
        : Optional.empty();
  }

  private static JsonNode tree(byte[] bytes) {
    try {
      return ManifestCodec.mapper().readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest to push is not JSON", e);
    }
  }
}
