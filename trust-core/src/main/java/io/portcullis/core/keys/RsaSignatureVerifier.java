package io.portcullis.core.keys;

import java.security.PublicKey;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.signers.RSADigestSigner;

/**
 * RSA PKCS#1 v1.5 and PSS (<a href="https://www.rfc-editor.org/rfc/rfc8017">RFC 8017</a>). PSS uses
 * MGF1 with the message digest and a salt as long as the digest, the parameters cosign, notation
 * and JWS PS* all use.
 */
record RsaSignatureVerifier(
    PublicKey publicKey, RSAKeyParameters params, SignatureAlgorithm algorithm)
    implements SignatureVerifier {

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    try {
      Digest digest = CurveDigests.digest(algorithm);
      org.bouncycastle.crypto.Signer signer =
          algorithm.name().startsWith("RSA_PSS")
              ? new PSSSigner(new RSAEngine(), digest, digest.getDigestSize())
              : new RSADigestSigner(digest);
      signer.init(false, params);
      signer.update(data, 0, data.length);
      return signer.verifySignature(signature);
    } catch (RuntimeException e) {
      // BouncyCastle throws on signatures of the wrong length; for a verifier that is "invalid"
      return false;
    }
  }
}
