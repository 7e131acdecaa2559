package io.portcullis.core.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.testing.InteropFixtures;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PublicKeyPemTest {

  @ParameterizedTest
  @ValueSource(strings = {"cosign/cosign.pub", "cosign/cosign2.pub"})
  void readsCosignPublicKeysAsP256(String fixture) {
    PublicKey key = PublicKeyPem.parse(InteropFixtures.text(fixture));
    assertEquals("EC", key.getAlgorithm());
    assertEquals(SignatureAlgorithm.ECDSA_P256_SHA256, Verifiers.forPublicKey(key).algorithm());
    assertEquals(InteropFixtures.text(fixture).strip(), PublicKeyPem.encode(key).strip());
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void writesAndReadsBackEveryGeneratedType(KeyAlgorithm algorithm) {
    PublicKey key = algorithm.generate().getPublic();
    String pem = PublicKeyPem.encode(key);
    assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"), pem);
    assertArrayEquals(key.getEncoded(), PublicKeyPem.parse(pem).getEncoded());
  }

  @Test
  void rekorKeyFixtureMatchesTheLogIdInTheBundles() throws Exception {
    PublicKey rekor =
        PublicKeyPem.parse(InteropFixtures.text("sigstore/public-good-tuf/targets/rekor.pub"));
    byte[] id = MessageDigest.getInstance("SHA-256").digest(rekor.getEncoded());
    assertEquals(
        "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d",
        HexFormat.of().formatHex(id));
  }

  @Test
  void sharedRekorPubIsADanglingSymlinkAndIsRefusedClearly() {
    String shared = InteropFixtures.text("cosign/rekor.pub");
    KeyFormatException e = assertThrows(KeyFormatException.class, () -> PublicKeyPem.parse(shared));
    assertTrue(e.getMessage().contains("no PEM block"), e.getMessage());
  }

  @Test
  void refusesOtherLabelsAndDsaKeys() throws Exception {
    String cert = InteropFixtures.text("cosign/fulcio_v1.crt.pem");
    assertTrue(
        assertThrows(KeyFormatException.class, () -> PublicKeyPem.parse(cert))
            .getMessage()
            .contains("unexpected PEM label 'CERTIFICATE'"));

    KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
    dsa.initialize(2048);
    String dsaPem =
        new PemBlock("PUBLIC KEY", dsa.generateKeyPair().getPublic().getEncoded()).encode();
    KeyFormatException e = assertThrows(KeyFormatException.class, () -> PublicKeyPem.parse(dsaPem));
    assertTrue(e.getMessage().contains("supported"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }
}
