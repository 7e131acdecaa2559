package io.portcullis.core.keys;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Turns DER key structures into JDK keys. The algorithm is read from the structure's own OID rather
 * than guessed, so an RSA key is never tried as EC and the error names what was found.
 */
final class KeyDecoder {
  private KeyDecoder() {}

  static PublicKey publicKey(byte[] spki) {
    SubjectPublicKeyInfo info;
    try {
      info = SubjectPublicKeyInfo.getInstance(spki);
    } catch (RuntimeException e) {
      throw new KeyFormatException("public key is not a DER SubjectPublicKeyInfo");
    }
    if (info == null) {
      throw new KeyFormatException("public key is empty");
    }
    String algorithm = jcaName(info.getAlgorithm().getAlgorithm());
    try {
      return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new KeyFormatException("public key is not a valid " + algorithm + " key");
    }
  }

  static PrivateKey privateKey(PrivateKeyInfo info, byte[] pkcs8) {
    String algorithm = jcaName(info.getPrivateKeyAlgorithm().getAlgorithm());
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new KeyFormatException("private key is not a valid " + algorithm + " key");
    }
  }

  private static String jcaName(ASN1ObjectIdentifier oid) {
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
      return "EC";
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
      return "RSA";
    }
    if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
      return "Ed25519";
    }
    throw new KeyFormatException(
        "unsupported key algorithm "
            + oid.getId()
            + "; supported: EC (P-256, P-384), RSA, Ed25519");
  }
}
