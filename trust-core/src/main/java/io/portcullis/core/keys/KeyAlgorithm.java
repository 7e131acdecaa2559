package io.portcullis.core.keys;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;

/**
 * Key types this project generates. {@link #ECDSA_P256} is the default because it is what {@code
 * cosign generate-key-pair} writes (see the <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signature
 * spec</a>), so keys made here sign things any cosign verifier accepts.
 */
public enum KeyAlgorithm {
  ECDSA_P256("EC", new ECGenParameterSpec("secp256r1")),
  ECDSA_P384("EC", new ECGenParameterSpec("secp384r1")),
  RSA_3072("RSA", new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4)),
  ED25519("Ed25519", null);

  /** What {@code cosign generate-key-pair} produces. */
  public static final KeyAlgorithm DEFAULT = ECDSA_P256;

  private final String jcaName;
  private final AlgorithmParameterSpec spec;

  KeyAlgorithm(String jcaName, AlgorithmParameterSpec spec) {
    this.jcaName = jcaName;
    this.spec = spec;
  }

  /** A fresh key pair from the platform's strong random source. */
  public KeyPair generate() {
    return generate(new SecureRandom());
  }

  public KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaName);
      if (spec != null) {
        generator.initialize(spec, random);
      } else {
        generator.initialize(255, random);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate " + this + " keys", e);
    }
  }
}
