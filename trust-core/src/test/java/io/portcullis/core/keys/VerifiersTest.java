package io.portcullis.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class VerifiersTest {
  private static final byte[] DATA = "the exact payload bytes".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void signerOutputVerifiesAndTamperingDoesNot(KeyAlgorithm algorithm) {
    KeyPair pair = algorithm.generate();
    byte[] signature = Signers.forPrivateKey(pair.getPrivate()).sign(DATA);
    SignatureVerifier verifier = Verifiers.forPublicKey(pair.getPublic());

    assertTrue(verifier.verify(DATA, signature));
    byte[] tampered = DATA.clone();
    tampered[0] ^= 1;
    assertFalse(verifier.verify(tampered, signature), "tampered data");
    assertFalse(
        Verifiers.forPublicKey(algorithm.generate().getPublic()).verify(DATA, signature),
        "another key");
    assertFalse(verifier.verify(DATA, Arrays.copyOf(signature, signature.length + 1)), "trailer");
    assertFalse(verifier.verify(DATA, new byte[0]), "empty");
  }

  static Stream<Arguments> jdkSignatures() {
    return Stream.of(
        Arguments.of(KeyAlgorithm.ECDSA_P256, "SHA256withECDSA", true),
        Arguments.of(KeyAlgorithm.ECDSA_P256, "SHA384withECDSA", false),
        Arguments.of(KeyAlgorithm.ECDSA_P384, "SHA384withECDSA", true),
        Arguments.of(KeyAlgorithm.ECDSA_P384, "SHA256withECDSA", false),
        Arguments.of(KeyAlgorithm.RSA_3072, "SHA256withRSA", true),
        Arguments.of(KeyAlgorithm.RSA_3072, "SHA512withRSA", false),
        Arguments.of(KeyAlgorithm.ED25519, "Ed25519", true));
  }

  /** The JDK is an independent signer: its DER ECDSA output must verify under the curve's hash. */
  @ParameterizedTest
  @MethodSource("jdkSignatures")
  void verifiesIndependentJdkSignaturesWithTheCurvesDigest(
      KeyAlgorithm algorithm, String jca, boolean expected) throws Exception {
    KeyPair pair = algorithm.generate();
    Signature jdk = Signature.getInstance(jca);
    jdk.initSign(pair.getPrivate());
    jdk.update(DATA);
    assertEquals(expected, Verifiers.forPublicKey(pair.getPublic()).verify(DATA, jdk.sign()));
  }

  @Test
  void rsaPssWithSaltOfHashLength() throws Exception {
    KeyPair pair = KeyAlgorithm.RSA_3072.generate();
    Signature jdk = Signature.getInstance("RSASSA-PSS");
    jdk.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    jdk.initSign(pair.getPrivate());
    jdk.update(DATA);
    byte[] pss = jdk.sign();

    assertTrue(
        Verifiers.forPublicKey(pair.getPublic(), SignatureAlgorithm.RSA_PSS_SHA256)
            .verify(DATA, pss));
    assertFalse(Verifiers.forPublicKey(pair.getPublic()).verify(DATA, pss), "not PKCS#1 v1.5");
  }

  @Test
  void refusalsNameTheSupportedAlgorithms() throws Exception {
    KeyPair rsa = KeyAlgorithm.RSA_3072.generate();
    UnsupportedKeyException mismatch =
        assertThrows(
            UnsupportedKeyException.class,
            () -> Verifiers.forPublicKey(rsa.getPublic(), SignatureAlgorithm.ECDSA_P256_SHA256));
    assertTrue(mismatch.getMessage().contains("supported algorithms: ECDSA_P256_SHA256"));

    KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
    dsa.initialize(2048);
    UnsupportedKeyException e =
        assertThrows(
            UnsupportedKeyException.class,
            () -> Verifiers.forPublicKey(dsa.generateKeyPair().getPublic()));
    assertTrue(e.getMessage().startsWith("DSA public keys are not supported"), e.getMessage());
    assertTrue(e.getMessage().contains("ED25519"), e.getMessage());
  }

  @Test
  void shortRsaKeysAreRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    KeyFormatException e =
        assertThrows(
            KeyFormatException.class,
            () -> Verifiers.forPublicKey(generator.generateKeyPair().getPublic()));
    assertTrue(e.getMessage().contains("too short"), e.getMessage());
  }

  @Test
  void berEncodedEcdsaSignatureIsRefused() {
    KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
    byte[] der = Signers.forPrivateKey(pair.getPrivate()).sign(DATA);
    // same SEQUENCE with a long-form length: valid BER, not DER
    byte[] ber = new byte[der.length + 1];
    ber[0] = 0x30;
    ber[1] = (byte) 0x81;
    ber[2] = der[1];
    System.arraycopy(der, 2, ber, 3, der.length - 2);
    SignatureVerifier verifier = Verifiers.forPublicKey(pair.getPublic());
    assertTrue(verifier.verify(DATA, der));
    assertFalse(verifier.verify(DATA, ber));
  }
}
