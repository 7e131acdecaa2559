package io.portcullis.core.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.testing.InteropFixtures;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class EncryptedPrivateKeyPemTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final char[] HELLO = "hello".toCharArray();

  @ParameterizedTest
  @ValueSource(strings = {"cosign-keys/sigstore.key", "cosign-keys/cosign-legacy.key"})
  void cosignWrittenKeysDecryptToP256Pkcs8(String fixture) {
    PrivateKey key = EncryptedPrivateKeyPem.decrypt(InteropFixtures.text(fixture), HELLO);

    assertEquals("EC", key.getAlgorithm());
    assertEquals(256, ((ECPrivateKey) key).getParams().getCurve().getField().getFieldSize());
    assertEquals(SignatureAlgorithm.ECDSA_P256_SHA256, Signers.forPrivateKey(key).algorithm());
  }

  @Test
  void sec1PlaintextIsRefusedByName() {
    String sec1 = InteropFixtures.text("cosign-keys/cosign-sec1-must-reject.key");
    KeyFormatException e =
        assertThrows(KeyFormatException.class, () -> EncryptedPrivateKeyPem.decrypt(sec1, HELLO));
    assertFalse(e instanceof WrongPasswordException, "it did decrypt, so not a password problem");
    assertTrue(e.getMessage().contains("SEC1"), e.getMessage());
    assertTrue(e.getMessage().contains("PKCS#8"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "cosign-keys/sigstore.key",
        "cosign-keys/cosign-legacy.key",
        "cosign-keys/cosign-sec1-must-reject.key"
      })
  void wrongPasswordIsReportedAsSuch(String fixture) {
    String key = InteropFixtures.text(fixture);
    WrongPasswordException e =
        assertThrows(
            WrongPasswordException.class,
            () -> EncryptedPrivateKeyPem.decrypt(key, "hellO".toCharArray()));
    assertEquals("wrong password or corrupted key", e.getMessage());
  }

  @Test
  void flippedCiphertextByteIsCaughtByTheAuthenticator() {
    ObjectNode doc = fixtureDocument("cosign-keys/sigstore.key");
    byte[] box = Base64.getDecoder().decode(doc.get("ciphertext").asText());
    box[box.length - 1] ^= 1;
    doc.put("ciphertext", Base64.getEncoder().encodeToString(box));

    assertThrows(
        WrongPasswordException.class, () -> EncryptedPrivateKeyPem.decrypt(pem(doc), HELLO));
  }

  @ParameterizedTest
  @CsvSource({"16384,8,1", "262144,8,1", "32768,16,1", "32768,8,2", "1048576,8,1"})
  void refusesScryptParametersCosignRefuses(int n, int r, int p) {
    ObjectNode doc = fixtureDocument("cosign-keys/sigstore.key");
    ObjectNode params = (ObjectNode) doc.get("kdf").get("params");
    params.put("N", n).put("r", r).put("p", p);

    KeyFormatException e =
        assertThrows(
            KeyFormatException.class, () -> EncryptedPrivateKeyPem.decrypt(pem(doc), HELLO));
    assertTrue(e.getMessage().contains("N=32768, 65536 or 131072 with r=8, p=1"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not a key at all|no PEM block found",
        "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\\n|unexpected PEM label",
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\\nbm90IGpzb24=\\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\\n|not the expected JSON",
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\\ne30=\\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\\n|lacks one of kdf",
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\\n!!!!\\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\\n|malformed PEM",
      })
  void malformedFilesGiveOneLineErrors(String text, String expected) {
    KeyFormatException e =
        assertThrows(
            KeyFormatException.class,
            () -> EncryptedPrivateKeyPem.decrypt(text.replace("\\n", "\n"), HELLO));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void otherKdfAndCipherNamesAreRefused() {
    ObjectNode doc = fixtureDocument("cosign-keys/sigstore.key");
    ((ObjectNode) doc.get("kdf")).put("name", "pbkdf2");
    assertTrue(
        assertThrows(
                KeyFormatException.class, () -> EncryptedPrivateKeyPem.decrypt(pem(doc), HELLO))
            .getMessage()
            .contains("expected scrypt"));
    ObjectNode doc2 = fixtureDocument("cosign-keys/sigstore.key");
    ((ObjectNode) doc2.get("cipher")).put("name", "aes-gcm");
    assertTrue(
        assertThrows(
                KeyFormatException.class, () -> EncryptedPrivateKeyPem.decrypt(pem(doc2), HELLO))
            .getMessage()
            .contains("expected nacl/secretbox"));
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void generateEncryptDecryptSignVerify(KeyAlgorithm algorithm) {
    KeyPair pair = algorithm.generate();
    String pem = EncryptedPrivateKeyPem.encrypt(pair.getPrivate(), "s3cret".toCharArray());

    PrivateKey decrypted = EncryptedPrivateKeyPem.decrypt(pem, "s3cret".toCharArray());
    assertArrayEquals(pair.getPrivate().getEncoded(), decrypted.getEncoded());

    byte[] message = "payload".getBytes(StandardCharsets.UTF_8);
    byte[] signature = Signers.forPrivateKey(decrypted).sign(message);
    assertTrue(Verifiers.forPublicKey(pair.getPublic()).verify(message, signature));
    assertThrows(
        WrongPasswordException.class,
        () -> EncryptedPrivateKeyPem.decrypt(pem, "S3cret".toCharArray()));
  }

  @Test
  void writtenKeyMatchesCosignFieldByFieldAndOpensIndependently() throws Exception {
    KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
    String written = EncryptedPrivateKeyPem.encrypt(pair.getPrivate(), HELLO);

    assertTrue(written.startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    assertTrue(written.endsWith("-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    JsonNode ours = JSON.readTree(body(written));
    JsonNode cosign = JSON.readTree(body(InteropFixtures.text("cosign-keys/sigstore.key")));
    assertEquals(fieldPaths(cosign), fieldPaths(ours), "same field names in the same order");
    assertEquals("scrypt", ours.at("/kdf/name").asText());
    assertEquals("nacl/secretbox", ours.at("/cipher/name").asText());
    assertEquals(32768, ours.at("/kdf/params/N").asInt());
    assertEquals(8, ours.at("/kdf/params/r").asInt());
    assertEquals(1, ours.at("/kdf/params/p").asInt());
    assertTrue(ours.at("/kdf/params/N").isInt(), "numbers, not strings");
    byte[] salt = Base64.getDecoder().decode(ours.at("/kdf/salt").asText());
    byte[] nonce = Base64.getDecoder().decode(ours.at("/cipher/nonce").asText());
    byte[] box = Base64.getDecoder().decode(ours.at("/ciphertext").asText());
    assertEquals(32, salt.length);
    assertEquals(24, nonce.length);
    assertEquals(pair.getPrivate().getEncoded().length + 16, box.length, "tag + PKCS#8 DER");
    assertEquals(Base64.getDecoder().decode(cosign.at("/kdf/salt").asText()).length, salt.length);
    assertEquals(
        Base64.getDecoder().decode(cosign.at("/cipher/nonce").asText()).length, nonce.length);

    byte[] plaintext = independentSecretboxOpen(box, nonce, scrypt("hello", salt));
    assertArrayEquals(pair.getPrivate().getEncoded(), plaintext);
  }

  @Test
  void independentOpenAgreesOnCosignFixture() throws Exception {
    // guards the independent implementation itself: it must open what cosign wrote
    JsonNode cosign = JSON.readTree(body(InteropFixtures.text("cosign-keys/sigstore.key")));
    byte[] plaintext =
        independentSecretboxOpen(
            Base64.getDecoder().decode(cosign.at("/ciphertext").asText()),
            Base64.getDecoder().decode(cosign.at("/cipher/nonce").asText()),
            scrypt("hello", Base64.getDecoder().decode(cosign.at("/kdf/salt").asText())));
    PrivateKey viaProduction =
        EncryptedPrivateKeyPem.decrypt(InteropFixtures.text("cosign-keys/sigstore.key"), HELLO);
    assertEquals(0x30, plaintext[0] & 0xff);
    assertArrayEquals(
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(plaintext)
            .getPrivateKeyAlgorithm()
            .getEncoded(),
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(viaProduction.getEncoded())
            .getPrivateKeyAlgorithm()
            .getEncoded());
  }

  // Written from the NaCl paper, structured differently from SecretBox on purpose: one keystream of
  // 32 + n bytes, Poly1305 keyed by its head, plaintext = ciphertext XOR its tail.
  private static byte[] independentSecretboxOpen(byte[] box, byte[] nonce, byte[] key)
      throws Exception {
    int n = box.length - 16;
    byte[] keystream = new byte[32 + n];
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    engine.processBytes(new byte[32 + n], 0, 32 + n, keystream, 0);
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(keystream, 0, 32));
    mac.update(box, 16, n);
    byte[] tag = new byte[16];
    mac.doFinal(tag, 0);
    byte[] given = new byte[16];
    System.arraycopy(box, 0, given, 0, 16);
    if (!MessageDigest.isEqual(tag, given)) {
      throw new AssertionError("independent secretbox open: bad tag");
    }
    byte[] plain = new byte[n];
    for (int i = 0; i < n; i++) {
      plain[i] = (byte) (box[16 + i] ^ keystream[32 + i]);
    }
    return plain;
  }

  private static byte[] scrypt(String password, byte[] salt) {
    return SCrypt.generate(password.getBytes(StandardCharsets.UTF_8), salt, 32768, 8, 1, 32);
  }

  private static List<String> fieldPaths(JsonNode node) {
    List<String> paths = new ArrayList<>();
    collect("", node, paths);
    return paths;
  }

  private static void collect(String prefix, JsonNode node, List<String> out) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      out.add(prefix + "/" + name);
      collect(prefix + "/" + name, node.get(name), out);
    }
  }

  private static byte[] body(String pem) {
    return PemBlock.readAll(pem).get(0).content();
  }

  private static ObjectNode fixtureDocument(String fixture) {
    try {
      return (ObjectNode) JSON.readTree(body(InteropFixtures.text(fixture)));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String pem(JsonNode doc) {
    try {
      return new PemBlock(EncryptedPrivateKeyPem.LABEL, JSON.writeValueAsBytes(doc)).encode();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
