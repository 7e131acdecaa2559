package io.portcullis.core.keys;

import java.io.IOException;
import java.security.PublicKey;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Creates {@link SignatureVerifier}s for public keys, in the manner of sigstore-java's {@code
 * Verifiers}: the key decides the scheme (ECDSA P-256 with SHA-256, P-384 with SHA-384, Ed25519;
 * RSA defaults to PKCS#1 v1.5 with SHA-256 as cosign uses), and a refusal lists what is supported.
 *
 * <p>Verification runs on BouncyCastle's lightweight API rather than JCA {@code Signature}: its
 * ECDSA is several times faster than the JDK's on Java 17, which matters on the gateway's hot path.
 */
public final class Verifiers {
  static final int MIN_RSA_BITS = 2048;

  private Verifiers() {}

  /** A verifier for {@code key} under the scheme its type implies. */
  public static SignatureVerifier forPublicKey(PublicKey key) {
    AsymmetricKeyParameter params = lightweight(key);
    if (params instanceof ECPublicKeyParameters ec) {
      return new EcdsaSignatureVerifier(
          key, ec, CurveDigests.ecdsaAlgorithm(ec.getParameters(), key));
    }
    if (params instanceof RSAKeyParameters rsa) {
      return new RsaSignatureVerifier(key, checkedRsa(rsa), SignatureAlgorithm.RSA_PKCS1V15_SHA256);
    }
    if (params instanceof Ed25519PublicKeyParameters ed) {
      return new Ed25519SignatureVerifier(key, ed);
    }
    throw new UnsupportedKeyException(key.getAlgorithm() + " public keys are not supported");
  }

  /** A verifier for {@code key} under {@code algorithm}, which must suit the key. */
  public static SignatureVerifier forPublicKey(PublicKey key, SignatureAlgorithm algorithm) {
    AsymmetricKeyParameter params = lightweight(key);
    if (params instanceof RSAKeyParameters rsa && algorithm.name().startsWith("RSA_")) {
      return new RsaSignatureVerifier(key, checkedRsa(rsa), algorithm);
    }
    SignatureVerifier natural = forPublicKey(key);
    if (natural.algorithm() != algorithm) {
      throw new UnsupportedKeyException(
          algorithm + " cannot be used with this " + key.getAlgorithm() + " key");
    }
    return natural;
  }

  private static AsymmetricKeyParameter lightweight(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      throw new UnsupportedKeyException(key.getAlgorithm() + " key has no X.509 encoding");
    }
    try {
      return PublicKeyFactory.createKey(encoded);
    } catch (IOException | RuntimeException e) {
      throw new UnsupportedKeyException(key.getAlgorithm() + " public keys are not supported");
    }
  }

  private static RSAKeyParameters checkedRsa(RSAKeyParameters rsa) {
    if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
      throw new KeyFormatException(
          "RSA key of " + rsa.getModulus().bitLength() + " bits is too short; need 2048 or more");
    }
    return rsa;
  }
}
