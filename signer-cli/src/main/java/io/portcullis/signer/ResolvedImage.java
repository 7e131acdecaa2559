package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.registry.FetchedManifest;
import io.portcullis.core.registry.ImageReference;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryNotFoundException;
import io.portcullis.core.registry.RemoteRepository;

/**
 * An image pinned to the digest its reference names right now. Signing and verifying work on this
 * digest, never on the tag, so a tag moved afterwards does not take a signature with it.
 *
 * @param requested what the user typed, normalised
 * @param pinned the same repository at {@code descriptor}'s digest
 * @param descriptor media type, digest and size of the manifest
 */
record ResolvedImage(ImageReference requested, ImageReference pinned, Descriptor descriptor) {

  /**
   * An image resolved by fetching its manifest, for a caller that reads the manifest too: one GET
   * pins the digest and gives the bytes, instead of a HEAD and then a GET.
   *
   * @param image the image, pinned to the digest of {@code manifest}'s bytes
   * @param manifest the manifest's exact bytes
   */
  record Fetched(ResolvedImage image, FetchedManifest manifest) {}

  /** Parses {@code image} (a usage error when malformed) and resolves it on the registry. */
  static ResolvedImage resolve(RegistryClient client, String image) {
    ImageReference ref = parse(image);
    Descriptor descriptor =
        client
            .headManifest(ref.repository(), ref.manifestReference())
            .orElseThrow(() -> notFound(ref));
    Digest digest = descriptor.parsedDigest();
    return new ResolvedImage(ref, ref.withDigest(digest), descriptor);
  }

  /** Parses {@code image} and fetches its manifest once; the digest is that of the bytes. */
  static Fetched fetch(RegistryClient client, String image) {
    ImageReference ref = parse(image);
    FetchedManifest manifest;
    try {
      manifest = client.getManifest(ref.repository(), ref.manifestReference());
    } catch (RegistryNotFoundException e) {
      throw notFound(ref);
    }
    return new Fetched(
        new ResolvedImage(ref, ref.withDigest(manifest.digest()), manifest.descriptor()), manifest);
  }

  private static ImageReference parse(String image) {
    try {
      return ImageReference.parse(image);
    } catch (InvalidReferenceException e) {
      throw new UsageException("invalid IMAGE '" + image + "': " + e.getMessage());
    }
  }

  private static RegistryNotFoundException notFound(ImageReference ref) {
    return new RegistryNotFoundException("image " + ref + " not found");
  }

  /** A manifest in the same repository that this one (an index) lists. */
  ResolvedImage child(Descriptor entry) {
    return new ResolvedImage(requested, requested.withDigest(entry.parsedDigest()), entry);
  }

  RemoteRepository repository() {
    return pinned.repository();
  }

  Digest digest() {
    return descriptor.parsedDigest();
  }

  Reference reference() {
    return Reference.of(digest());
  }
}
