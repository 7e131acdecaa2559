package io.portcullis.signer;

import io.portcullis.core.dct.SignedTag;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.registry.FetchedManifest;
import io.portcullis.core.registry.ImageReference;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryNotFoundException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * {@code verify --dct-server ... --dct-check-registry}: the signed manifest must be in IMAGE's
 * repository with exactly the signed digest and length, as the gateway checks the manifest bytes
 * before it serves them. Where the tag has moved since it was signed, a NOTE says so without
 * failing: a DCT pull (and the gateway) is served the signed digest, not the tag's.
 */
final class DctRegistryCheck {
  private final RegistryClient client;
  private final PrintWriter out;

  DctRegistryCheck(RegistryClient client, PrintWriter out) {
    this.client = client;
    this.out = out;
  }

  void run(ImageReference ref, List<SignedTag> signed) {
    SignedTag first = signed.get(0);
    FetchedManifest manifest;
    try {
      manifest = client.getManifest(ref.repository(), Reference.of(first.digest()));
    } catch (RegistryNotFoundException e) {
      throw new VerificationFailedException(
          ref.repository() + " has no manifest " + first.digest() + ", the signed target");
    }
    if (manifest.bytes().length != first.length()) {
      throw new VerificationFailedException(
          "the manifest "
              + first.digest()
              + " is "
              + manifest.bytes().length
              + " bytes, the signed target "
              + first.length());
    }
    out.println(
        "PASS registry: "
            + ref.repository()
            + " serves "
            + first.digest()
            + " with the signed length");
    if (ref.digest().isEmpty()) {
      Optional<Descriptor> now =
          client.headManifest(ref.repository(), Reference.of(ref.tag().orElseThrow()));
      if (now.isEmpty()) {
        out.println("NOTE registry: tag " + ref.tag().get().value() + " is not in the registry");
      } else if (!now.get().parsedDigest().equals(first.digest())) {
        out.println(
            "NOTE registry: tag "
                + ref.tag().get().value()
                + " now names "
                + now.get().parsedDigest()
                + "; a DCT pull (and the gateway) gets the signed "
                + first.digest());
      }
    }
  }
}
