package io.portcullis.core.keys;

import java.security.PublicKey;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Ed25519 (<a href="https://www.rfc-editor.org/rfc/rfc8032">RFC 8032</a>), pure mode. */
record Ed25519SignatureVerifier(PublicKey publicKey, Ed25519PublicKeyParameters params)
    implements SignatureVerifier {

  @Override
  public SignatureAlgorithm algorithm() {
    return SignatureAlgorithm.ED25519;
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(false, params);
    signer.update(data, 0, data.length);
    return signer.verifySignature(signature);
  }
}
