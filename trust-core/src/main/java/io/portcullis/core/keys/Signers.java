package io.portcullis.core.keys;

import java.io.IOException;
import java.math.BigInteger;
import java.security.PrivateKey;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.util.PrivateKeyFactory;

/**
 * Creates {@link Signer}s, the counterpart of {@link Verifiers}. ECDSA keys sign with the curve's
 * digest and DER output, which for P-256 is exactly what cosign produces; nonces are deterministic
 * (<a href="https://www.rfc-editor.org/rfc/rfc6979">RFC 6979</a>) so a weak random source cannot
 * leak the key. RSA signs PKCS#1 v1.5 with SHA-256; Ed25519 is pure Ed25519.
 */
public final class Signers {
  private Signers() {}

  public static Signer forPrivateKey(PrivateKey key) {
    AsymmetricKeyParameter params;
    try {
      byte[] encoded = key.getEncoded();
      if (encoded == null) {
        throw new UnsupportedKeyException(key.getAlgorithm() + " key cannot be exported");
      }
      params = PrivateKeyFactory.createKey(encoded);
    } catch (IOException | RuntimeException e) {
      if (e instanceof UnsupportedKeyException u) {
        throw u;
      }
      throw new UnsupportedKeyException(key.getAlgorithm() + " private keys are not supported");
    }
    if (params instanceof ECPrivateKeyParameters ec) {
      return new EcdsaSigner(ec, CurveDigests.ecdsaAlgorithm(ec.getParameters(), key));
    }
    if (params instanceof RSAKeyParameters rsa) {
      if (rsa.getModulus().bitLength() < Verifiers.MIN_RSA_BITS) {
        throw new KeyFormatException("RSA key is too short; need 2048 bits or more");
      }
      return new RsaSigner(rsa);
    }
    if (params instanceof Ed25519PrivateKeyParameters ed) {
      return new Ed25519KeySigner(ed);
    }
    throw new UnsupportedKeyException(key.getAlgorithm() + " private keys are not supported");
  }

  private record EcdsaSigner(ECPrivateKeyParameters params, SignatureAlgorithm algorithm)
      implements Signer {
    @Override
    public byte[] sign(byte[] data) {
      Digest digest = CurveDigests.digest(algorithm);
      byte[] hash = new byte[digest.getDigestSize()];
      digest.update(data, 0, data.length);
      digest.doFinal(hash, 0);
      ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(CurveDigests.digest(algorithm)));
      signer.init(true, params);
      BigInteger[] rs = signer.generateSignature(hash);
      return DerEcdsaSignature.encode(rs[0], rs[1]);
    }
  }

  private record RsaSigner(RSAKeyParameters params) implements Signer {
    @Override
    public SignatureAlgorithm algorithm() {
      return SignatureAlgorithm.RSA_PKCS1V15_SHA256;
    }

    @Override
    public byte[] sign(byte[] data) {
      RSADigestSigner signer = new RSADigestSigner(CurveDigests.digest(algorithm()));
      signer.init(true, params);
      signer.update(data, 0, data.length);
      try {
        return signer.generateSignature();
      } catch (CryptoException e) {
        throw new IllegalStateException("RSA signing failed", e);
      }
    }
  }

  private record Ed25519KeySigner(Ed25519PrivateKeyParameters params) implements Signer {
    @Override
    public SignatureAlgorithm algorithm() {
      return SignatureAlgorithm.ED25519;
    }

    @Override
    public byte[] sign(byte[] data) {
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, params);
      signer.update(data, 0, data.length);
      return signer.generateSignature();
    }
  }
}
