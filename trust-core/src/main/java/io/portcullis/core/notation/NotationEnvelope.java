package io.portcullis.core.notation;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A decoded Notary Project signature envelope, <code>e = {m, v, u, s}</code> of the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#signature-envelope">signature
 * specification</a>: payload, signed attributes, unsigned attributes and signature, plus the exact
 * bytes the signature covers ({@code signingInput}), taken from the received envelope and never
 * re-encoded.
 *
 * @param payload the payload bytes (JSON, not yet trusted)
 * @param certificateChain {@code [signing certificate, intermediates..., root]} as carried
 * @param timestampToken the RFC 3161 {@code TimeStampToken} (DER), or null
 * @param signingAgent the unsigned, informational signing agent, or null
 */
public record NotationEnvelope(
    EnvelopeFormat format,
    SignedAttributes attributes,
    byte[] payload,
    List<X509Certificate> certificateChain,
    byte[] signature,
    byte[] signingInput,
    byte[] timestampToken,
    String signingAgent) {

  public NotationEnvelope {
    certificateChain = List.copyOf(certificateChain);
    if (certificateChain.isEmpty()) {
      throw new EnvelopeException("envelope carries no certificate chain");
    }
  }

  /** The certificate whose key made the signature. */
  public X509Certificate signingCertificate() {
    return certificateChain.get(0);
  }
}
