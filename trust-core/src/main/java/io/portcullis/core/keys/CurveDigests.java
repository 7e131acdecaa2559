package io.portcullis.core.keys;

import java.security.Key;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;

/** Maps EC curves and algorithms to digests, refusing curves outside P-256 and P-384. */
final class CurveDigests {
  private CurveDigests() {}

  static SignatureAlgorithm ecdsaAlgorithm(ECDomainParameters domain, Key key) {
    if (domain instanceof ECNamedDomainParameters named) {
      ASN1ObjectIdentifier curve = named.getName();
      if (SECObjectIdentifiers.secp256r1.equals(curve)) {
        return SignatureAlgorithm.ECDSA_P256_SHA256;
      }
      if (SECObjectIdentifiers.secp384r1.equals(curve)) {
        return SignatureAlgorithm.ECDSA_P384_SHA384;
      }
      throw new UnsupportedKeyException("EC curve " + curve.getId() + " is not supported");
    }
    throw new UnsupportedKeyException(
        "EC " + key.getAlgorithm() + " key with explicit curve parameters is not supported");
  }

  static Digest digest(SignatureAlgorithm algorithm) {
    return switch (algorithm) {
      case ECDSA_P256_SHA256, RSA_PKCS1V15_SHA256, RSA_PSS_SHA256 -> new SHA256Digest();
      case ECDSA_P384_SHA384, RSA_PKCS1V15_SHA384, RSA_PSS_SHA384 -> new SHA384Digest();
      case RSA_PKCS1V15_SHA512, RSA_PSS_SHA512 -> new SHA512Digest();
      case ED25519 -> throw new IllegalArgumentException("Ed25519 hashes internally");
    };
  }
}
