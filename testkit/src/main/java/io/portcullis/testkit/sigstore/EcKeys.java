package io.portcullis.testkit.sigstore;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

/**
 * ECDSA keys and signatures for the private Sigstore instance, through the JDK provider: the
 * signatures are ASN.1 DER, as Fulcio, Rekor and CT logs write them.
 */
public final class EcKeys {
  private EcKeys() {}

  /** A NIST curve, with the hash Sigstore pairs it with. */
  public enum Curve {
    P256("secp256r1", "SHA256withECDSA", "PKIX_ECDSA_P256_SHA_256"),
    P384("secp384r1", "SHA384withECDSA", "PKIX_ECDSA_P384_SHA_384");

    final String jcaName;
    final String signatureAlgorithm;
    final String keyDetails;

    Curve(String jcaName, String signatureAlgorithm, String keyDetails) {
      this.jcaName = jcaName;
      this.signatureAlgorithm = signatureAlgorithm;
      this.keyDetails = keyDetails;
    }

    /** The trusted root's {@code keyDetails} name for a key on this curve. */
    public String keyDetails() {
      return keyDetails;
    }

    /** The JCA signature algorithm of this curve's hash, e.g. {@code SHA256withECDSA}. */
    public String signatureAlgorithm() {
      return signatureAlgorithm;
    }
  }

  public static KeyPair generate(Curve curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve.jcaName));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an " + curve + " key", e);
    }
  }

  /** An ECDSA-SHA-256 DER signature (what Rekor and CT logs sign with). */
  public static byte[] sign(PrivateKey key, byte[] data) {
    return sign(key, "SHA256withECDSA", data);
  }

  static byte[] sign(PrivateKey key, String algorithm, byte[] data) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + algorithm, e);
    }
  }

  /**
   * The log id Rekor and RFC 6962 logs are named by: the SHA-256 of the key's DER
   * SubjectPublicKeyInfo.
   */
  public static byte[] logId(PublicKey key) {
    return MerkleTree.sha256(key.getEncoded());
  }
}
