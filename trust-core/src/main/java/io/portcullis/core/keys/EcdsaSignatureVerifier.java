package io.portcullis.core.keys;

import java.math.BigInteger;
import java.security.PublicKey;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/** ECDSA over DER signatures with BouncyCastle's lightweight signer (see {@link Verifiers}). */
record EcdsaSignatureVerifier(
    PublicKey publicKey, ECPublicKeyParameters params, SignatureAlgorithm algorithm)
    implements SignatureVerifier {

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    BigInteger[] rs = DerEcdsaSignature.decode(signature);
    if (rs == null) {
      return false;
    }
    Digest digest = CurveDigests.digest(algorithm);
    byte[] hash = new byte[digest.getDigestSize()];
    digest.update(data, 0, data.length);
    digest.doFinal(hash, 0);
    ECDSASigner signer = new ECDSASigner(); // not thread-safe, so one per call
    signer.init(false, params);
    return signer.verifySignature(hash, rs[0], rs[1]);
  }
}
