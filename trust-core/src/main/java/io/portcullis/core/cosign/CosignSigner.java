package io.portcullis.core.cosign;

import io.portcullis.core.keys.Signer;
import io.portcullis.core.oci.Digest;
import java.util.Base64;
import java.util.Map;

/**
 * Produces cosign signature layers as {@code cosign sign --key} does (<a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signature
 * spec</a>): a simple signing payload and its base64 signature in the layer annotation. Push the
 * layers with {@link AttachmentManifest#append} at {@link AttachmentManifest#tag}.
 */
public final class CosignSigner {
  private final Signer signer;

  public CosignSigner(Signer signer) {
    this.signer = signer;
  }

  /** Signs {@code image} as known by {@code dockerReference}, with optional annotations. */
  public AttachmentLayer sign(
      String dockerReference, Digest image, Map<String, String> annotations) {
    return sign(SimpleSigningPayload.create(dockerReference, image, annotations));
  }

  public AttachmentLayer sign(SimpleSigningPayload payload) {
    byte[] raw = payload.raw();
    String signature = Base64.getEncoder().encodeToString(signer.sign(raw));
    return AttachmentLayer.create(
        SimpleSigningPayload.MEDIA_TYPE, raw, Map.of(CosignAnnotations.SIGNATURE, signature));
  }
}
