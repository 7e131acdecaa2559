package io.portcullis.signer;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.oci.Reference;
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

  /** Parses {@code image} (a usage error when malformed) and resolves it on the registry. */
  static ResolvedImage resolve(RegistryClient client, String image) {
    ImageReference ref;
    try {
      ref = ImageReference.parse(image);
    } catch (InvalidReferenceException e) {
      throw new UsageException("invalid IMAGE '" + image + "': " + e.getMessage());
    }
    Descriptor descriptor =
        client
            .headManifest(ref.repository(), ref.manifestReference())
            .orElseThrow(() -> new RegistryNotFoundException("image " + ref + " not found"));
    Digest digest = descriptor.parsedDigest();
    return new ResolvedImage(ref, ref.withDigest(digest), descriptor);
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
