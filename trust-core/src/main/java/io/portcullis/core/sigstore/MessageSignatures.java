package io.portcullis.core.sigstore;

import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.Verifiers;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.crypto.digests.NullDigest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Checks a bundle's {@code messageSignature} (the content of a {@code hashedrekord}) under a key,
 * as sigstore-java's {@code AlgorithmRegistry} pairs keys and hashes: ECDSA P-256/SHA-256,
 * P-384/SHA-384, P-521/SHA-512, RSA PKCS#1 v1.5 with the hash the bundle states (SHA-256 by
 * default), Ed25519 over the bytes. The signature is checked over the artifact's bytes when known,
 * else over its SHA-256 (ECDSA and RSA sign a hash, so the digest is enough when the scheme's hash
 * is SHA-256; Ed25519 needs the bytes).
 */
final class MessageSignatures {
  private MessageSignatures() {}

  /** Passes when {@code signature} verifies, else says why not. */
  static void verify(MessageSignature signature, PublicKey key, Artifact artifact)
      throws SigstoreVerificationException {
    checkStatedDigest(signature, artifact);
    AsymmetricKeyParameter params;
    try {
      params = PublicKeyFactory.createKey(key.getEncoded());
    } catch (IOException | RuntimeException e) {
      throw new SigstoreVerificationException(key.getAlgorithm() + " keys are not supported");
    }
    byte[] sig = signature.signature();
    boolean ok;
    if (params instanceof Ed25519PublicKeyParameters) {
      byte[] content =
          artifact
              .content()
              .orElseThrow(
                  () ->
                      new SigstoreVerificationException(
                          "an Ed25519 message signature can only be checked over the artifact's"
                              + " bytes, which are not known here"));
      try {
        ok = Verifiers.forPublicKey(key).verify(content, sig);
      } catch (KeyFormatException e) {
        throw new SigstoreVerificationException(e.getMessage());
      }
    } else if (params instanceof ECPublicKeyParameters ec) {
      String hash = ecHash(ec);
      ok = ecdsa(ec, hashOf(hash, artifact), sig);
    } else if (params instanceof RSAKeyParameters rsa) {
      String hash = rsaHash(signature.digestAlgorithm());
      ok = rsaPkcs1(rsa, hash, hashOf(hash, artifact), sig);
    } else {
      throw new SigstoreVerificationException(key.getAlgorithm() + " keys are not supported");
    }
    if (!ok) {
      throw new SigstoreVerificationException(
          "message signature does not verify over the artifact");
    }
  }

  /** A stated digest must be the artifact's: the log entry records it, so it must be honest. */
  private static void checkStatedDigest(MessageSignature signature, Artifact artifact)
      throws SigstoreVerificationException {
    if (signature.digest().isEmpty()) {
      return;
    }
    String hash = jcaHash(signature.digestAlgorithm().orElse("SHA2_256"));
    byte[] expected = hashOf(hash, artifact);
    if (!MessageDigest.isEqual(expected, signature.digest().get())) {
      throw new SigstoreVerificationException(
          "bundle messageDigest "
              + HexFormat.of().formatHex(signature.digest().get())
              + " is not the artifact's "
              + hash
              + " "
              + HexFormat.of().formatHex(expected));
    }
  }

  private static String jcaHash(String sigstoreName) throws SigstoreVerificationException {
    return switch (sigstoreName) {
      case "SHA2_256" -> "SHA-256";
      case "SHA2_384" -> "SHA-384";
      case "SHA2_512" -> "SHA-512";
      default ->
          throw new SigstoreVerificationException(
              "messageDigest algorithm " + sigstoreName + " is not supported");
    };
  }

  private static String ecHash(ECPublicKeyParameters ec) throws SigstoreVerificationException {
    int bits = ec.getParameters().getN().bitLength();
    if (bits == 256) {
      return "SHA-256";
    }
    if (bits == 384) {
      return "SHA-384";
    }
    if (bits == 521) {
      return "SHA-512";
    }
    throw new SigstoreVerificationException("EC keys of " + bits + " bits are not supported");
  }

  private static String rsaHash(Optional<String> stated) throws SigstoreVerificationException {
    return stated.isPresent() ? jcaHash(stated.get()) : "SHA-256";
  }

  /** The artifact's hash under {@code hash}: the known SHA-256, or a hash of its bytes. */
  private static byte[] hashOf(String hash, Artifact artifact)
      throws SigstoreVerificationException {
    if ("SHA-256".equals(hash)) {
      return artifact.sha256();
    }
    byte[] content =
        artifact
            .content()
            .orElseThrow(
                () ->
                    new SigstoreVerificationException(
                        "a "
                            + hash
                            + " message signature can only be checked over the artifact's bytes,"
                            + " which are not known here"));
    try {
      return MessageDigest.getInstance(hash).digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean ecdsa(ECPublicKeyParameters ec, byte[] hash, byte[] sig) {
    BigInteger[] rs;
    try {
      rs = StandardDSAEncoding.INSTANCE.decode(ec.getParameters().getN(), sig);
    } catch (IOException | RuntimeException e) {
      return false;
    }
    ECDSASigner signer = new ECDSASigner(); // not thread-safe, so one per call
    signer.init(false, ec);
    return signer.verifySignature(hash, rs[0], rs[1]);
  }

  private static boolean rsaPkcs1(RSAKeyParameters rsa, String hash, byte[] digest, byte[] sig)
      throws SigstoreVerificationException {
    if (rsa.getModulus().bitLength() < 2048) {
      throw new SigstoreVerificationException(
          "RSA key of " + rsa.getModulus().bitLength() + " bits is too short; need 2048 or more");
    }
    ASN1ObjectIdentifier oid =
        switch (hash) {
          case "SHA-384" -> NISTObjectIdentifiers.id_sha384;
          case "SHA-512" -> NISTObjectIdentifiers.id_sha512;
          default -> NISTObjectIdentifiers.id_sha256;
        };
    // A NullDigest passes the precomputed hash through; the OID builds the DigestInfo.
    RSADigestSigner signer = new RSADigestSigner(new NullDigest(), oid);
    signer.init(false, rsa);
    signer.update(digest, 0, digest.length);
    try {
      return signer.verifySignature(sig);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
