package io.portcullis.core.notation;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.CertificateRequirements;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Produces JWS signature envelopes with a local key and certificate chain under the {@code
 * notary.x509} scheme, per the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signing-and-verification-workflow.md#signing-steps">signing
 * steps</a>: the chain is checked against the certificate requirements and must be valid at the
 * signing time, and the algorithm follows from the signing key.
 */
public final class NotationSigner {
  /** The signing agent this implementation writes into the unsigned header. */
  public static final String SIGNING_AGENT = "Portcullis/0.1.0";

  private final PrivateKey key;
  private final List<X509Certificate> chain;
  private final SignatureAlgorithm algorithm;

  private NotationSigner(
      PrivateKey key, List<X509Certificate> chain, SignatureAlgorithm algorithm) {
    this.key = key;
    this.chain = chain;
    this.algorithm = algorithm;
  }

  /**
   * A signer for {@code key}, whose certificate chain {@code [leaf, intermediates..., root]} must
   * end in a self-signed root and meet the Notary certificate requirements.
   */
  public static NotationSigner create(PrivateKey key, List<X509Certificate> chain) {
    CertificateRequirements.checkChain(chain, CertificateRequirements.Purpose.CODE_SIGNING);
    SignatureAlgorithm algorithm = SignatureAlgorithm.forKey(chain.get(0).getPublicKey());
    if (!algorithm.equals(SignatureAlgorithm.forKey(key))) {
      throw new IllegalArgumentException("private key does not belong to the signing certificate");
    }
    return new NotationSigner(key, List.copyOf(chain), algorithm);
  }

  public SignatureAlgorithm algorithm() {
    return algorithm;
  }

  public List<X509Certificate> certificateChain() {
    return chain;
  }

  /**
   * A JWS envelope ({@code application/jose+json}) over {@code target}, signed at {@code
   * signingTime} (whole seconds), with an optional {@code expiry}.
   */
  public byte[] sign(Descriptor target, Instant signingTime, Instant expiry) {
    Instant time = signingTime.truncatedTo(ChronoUnit.SECONDS);
    Instant until = expiry == null ? null : expiry.truncatedTo(ChronoUnit.SECONDS);
    if (until != null && !until.isAfter(time)) {
      throw new IllegalArgumentException("expiry " + until + " is not after signing time " + time);
    }
    try {
      CertificateRequirements.checkValidAt(chain, time);
    } catch (CertificateChainException e) {
      throw new CertificateChainException("cannot sign: " + e.getMessage());
    }
    String protectedB64 =
        JwsEnvelopeCodec.base64Url(JwsEnvelopeCodec.protectedHeader(algorithm, time, until));
    String payloadB64 = JwsEnvelopeCodec.base64Url(new NotationPayload(target).toJson());
    byte[] input = (protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII);
    byte[] signature;
    try {
      signature = algorithm.sign(key, input);
      // Catches a key that fits the algorithm but is not the certificate's own key.
      if (!algorithm.verify(chain.get(0).getPublicKey(), input, signature)) {
        throw new IllegalArgumentException(
            "private key does not belong to the signing certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + algorithm.jwsName(), e);
    }
    return JwsEnvelopeCodec.envelope(protectedB64, payloadB64, signature, chain, SIGNING_AGENT);
  }
}
