package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises the artifacts that carry trust data rather than runnable content: cosign's {@code
 * sha256-<hex>.sig/.att} tags, the referrers tag, and manifests whose every layer is a signature,
 * attestation or envelope. Clients need these to verify images themselves, and none of them can be
 * run, so they are served under any policy.
 */
final class SignatureArtifacts {
  private static final Pattern TAG = Pattern.compile("sha256-[a-f0-9]{64}(\\.sig|\\.att|\\.sbom)?");
  private static final Set<String> LAYER_TYPES =
      Set.of(
          "application/vnd.dev.cosign.simplesigning.v1+json",
          "application/vnd.dsse.envelope.v1+json",
          "application/jose+json",
          "application/cose",
          MediaTypes.OCI_EMPTY);

  private SignatureArtifacts() {}

  static boolean isSignatureTag(String tag) {
    return TAG.matcher(tag).matches();
  }

  /** True for an image manifest that has layers and all of them are trust data. */
  static boolean isSignatureManifest(byte[] bytes, String mediaType) {
    if (MediaTypes.isIndex(mediaType)) {
      return false;
    }
    try {
      ImageManifest m = ManifestCodec.readManifest(bytes);
      return !m.layers().isEmpty()
          && m.layers().stream().map(Descriptor::mediaType).allMatch(LAYER_TYPES::contains);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
