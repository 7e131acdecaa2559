package io.portcullis.core.policy;

import java.util.Objects;

/**
 * One Notary Project signature (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage">signature
 * storage</a>): the signature manifest's exact bytes and its envelope blob.
 *
 * @param signatureManifest the manifest naming the image as {@code subject}
 * @param envelopeMediaType {@code application/jose+json} or {@code application/cose}
 * @param envelope the envelope blob; it must hash to the digest the manifest states
 */
public record NotationSignature(
    byte[] signatureManifest, String envelopeMediaType, byte[] envelope) {

  public NotationSignature {
    signatureManifest = signatureManifest.clone();
    Objects.requireNonNull(envelopeMediaType, "envelopeMediaType");
    envelope = envelope.clone();
  }

  @Override
  public byte[] signatureManifest() {
    return signatureManifest.clone();
  }

  @Override
  public byte[] envelope() {
    return envelope.clone();
  }
}
