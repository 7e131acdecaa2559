package io.portcullis.core.notation;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The signature algorithms of the Notary Project <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#signature-algorithm-requirements">algorithm
 * requirements</a>, with their JWS names and COSE identifiers, chosen from the signing key as the
 * <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#algorithm-selection">algorithm
 * selection</a> table demands (RSA 2048/3072/4096 → PS256/384/512, EC P-256/384/521 →
 * ES256/384/512).
 *
 * <p>RSASSA-PSS uses MGF1 with the same hash and a salt as long as the hash. ECDSA signatures are
 * the raw {@code R||S} form of JWS and COSE; BouncyCastle's {@code PLAIN-ECDSA} reads and writes
 * that form directly, so no DER conversion is needed.
 */
public enum SignatureAlgorithm {
  PS256("PS256", -37, "SHA-256", 32, 2048),
  PS384("PS384", -38, "SHA-384", 48, 3072),
  PS512("PS512", -39, "SHA-512", 64, 4096),
  ES256("ES256", -7, "SHA-256", 32, 256),
  ES384("ES384", -35, "SHA-384", 48, 384),
  ES512("ES512", -36, "SHA-512", 64, 521);

  // A private instance, not installed globally: other code in the JVM keeps its provider order.
  private static final Provider BC = new BouncyCastleProvider();

  private final String jwsName;
  private final int coseId;
  private final String hash;
  private final int hashLength;
  private final int keyBits;

  SignatureAlgorithm(String jwsName, int coseId, String hash, int hashLength, int keyBits) {
    this.jwsName = jwsName;
    this.coseId = coseId;
    this.hash = hash;
    this.hashLength = hashLength;
    this.keyBits = keyBits;
  }

  public String jwsName() {
    return jwsName;
  }

  public int coseId() {
    return coseId;
  }

  /** The JCA name of the hash, e.g. {@code SHA-384}. */
  public String hash() {
    return hash;
  }

  private boolean isRsa() {
    return name().startsWith("PS");
  }

  /** The algorithm with JWS name {@code name}, if supported. */
  public static Optional<SignatureAlgorithm> fromJwsName(String name) {
    return Arrays.stream(values()).filter(a -> a.jwsName.equals(name)).findFirst();
  }

  /** The algorithm with COSE identifier {@code id}, if supported. */
  public static Optional<SignatureAlgorithm> fromCoseId(long id) {
    return Arrays.stream(values()).filter(a -> a.coseId == id).findFirst();
  }

  /**
   * The one algorithm the spec allows for {@code key}; throws {@link IllegalArgumentException}
   * naming the supported keys otherwise.
   */
  public static SignatureAlgorithm forKey(Key key) {
    if (key instanceof RSAKey rsa) {
      int bits = rsa.getModulus().bitLength();
      for (SignatureAlgorithm a : values()) {
        if (a.isRsa() && a.keyBits == bits) {
          return a;
        }
      }
      throw new IllegalArgumentException(
          "unsupported RSA key of " + bits + " bits: use 2048, 3072 or 4096");
    }
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      for (SignatureAlgorithm a : values()) {
        if (!a.isRsa() && a.keyBits == bits) {
          return a;
        }
      }
      throw new IllegalArgumentException(
          "unsupported EC key of " + bits + " bits: use P-256, P-384 or P-521");
    }
    throw new IllegalArgumentException(
        "unsupported key type "
            + key.getAlgorithm()
            + ": use RSA (PS256/384/512) or EC (ES256/384/512)");
  }

  /** True when {@code signature} over {@code data} verifies with {@code key}. */
  public boolean verify(PublicKey key, byte[] data, byte[] signature)
      throws GeneralSecurityException {
    if (!isRsa() && signature.length != 2 * ((keyBits + 7) / 8)) {
      // PLAIN-ECDSA splits the input in halves; a wrong length is simply not this signature form.
      return false;
    }
    Signature verifier = newSignature();
    verifier.initVerify(key);
    verifier.update(data);
    try {
      return verifier.verify(signature);
    } catch (java.security.SignatureException e) {
      return false;
    }
  }

  /** The signature over {@code data} with {@code key}, in JWS/COSE form. */
  public byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
    Signature signer = newSignature();
    signer.initSign(key);
    signer.update(data);
    return signer.sign();
  }

  private Signature newSignature() throws GeneralSecurityException {
    String shortHash = hash.replace("-", "");
    if (isRsa()) {
      Signature s = Signature.getInstance("RSASSA-PSS", BC);
      s.setParameter(
          new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), hashLength, 1));
      return s;
    }
    return Signature.getInstance(shortHash + "withPLAIN-ECDSA", BC);
  }
}
