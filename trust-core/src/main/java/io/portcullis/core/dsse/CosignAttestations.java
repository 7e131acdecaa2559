package io.portcullis.core.dsse;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.keys.Signer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attestation layers as {@code cosign attest} writes them (cosign {@code
 * cmd/cosign/cli/attest/attest.go} and {@code pkg/oci/static}): the layer is the DSSE envelope JSON
 * of an in-toto statement, media type {@value DsseEnvelope#MEDIA_TYPE}, annotated with {@code
 * predicateType} and an empty {@code dev.cosignproject.cosign/signature} (the signature lives
 * inside the envelope). Push them with {@link io.portcullis.core.cosign.AttachmentManifest#append}
 * at the {@code .att} tag, which appends to attestations already there.
 */
public final class CosignAttestations {
  private CosignAttestations() {}

  public static AttachmentLayer attest(InTotoStatement statement, Signer signer, String keyid) {
    DsseEnvelope envelope =
        DsseEnvelope.sign(DsseEnvelope.IN_TOTO_PAYLOAD_TYPE, statement.toJson(), signer, keyid);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(CosignAnnotations.PREDICATE_TYPE, statement.predicateType());
    annotations.put(CosignAnnotations.SIGNATURE, "");
    return AttachmentLayer.create(DsseEnvelope.MEDIA_TYPE, envelope.toJson(), annotations);
  }
}
