package io.portcullis.core.keys;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * Password-encrypted private keys in cosign's format, as written by {@code cosign
 * generate-key-pair} (<a href="https://github.com/sigstore/cosign/blob/main/pkg/cosign/keys.go">
 * pkg/cosign/keys.go</a>, encryption from <a
 * href="https://github.com/secure-systems-lab/go-securesystemslib">go-securesystemslib
 * encrypted</a>).
 *
 * <p>The PEM body is JSON naming the KDF (scrypt, its parameters and salt) and cipher (NaCl
 * secretbox and its nonce); the secretbox plaintext is a PKCS#8 DER private key. Writing uses the
 * label {@value #LABEL}; reading also accepts the legacy {@value #LEGACY_LABEL}, which skopeo still
 * writes.
 *
 * <p>Passwords are taken as {@code char[]}: the caller owns and wipes that array; every copy made
 * here (UTF-8 bytes, derived key, decrypted DER) is zeroed before returning.
 */
public final class EncryptedPrivateKeyPem {
  public static final String LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY";
  public static final String LEGACY_LABEL = "ENCRYPTED COSIGN PRIVATE KEY";

  private static final int SALT_BYTES = 32;
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private EncryptedPrivateKeyPem() {}

  /** Decrypts an encrypted cosign key; throws {@link WrongPasswordException} on a bad password. */
  public static PrivateKey decrypt(String pem, char[] password) {
    PemBlock block = PemBlock.readSingle(pem, Set.of(LABEL, LEGACY_LABEL));
    EncryptedKeyDocument document = readDocument(block.content());
    ScryptParameters scrypt = scryptParameters(document.kdf());
    byte[] salt = base64(document.kdf().salt(), "kdf.salt");
    byte[] nonce = base64(document.cipher().nonce(), "cipher.nonce");
    byte[] box = base64(document.ciphertext(), "ciphertext");
    byte[] key = deriveKey(password, salt, scrypt);
    byte[] der = null;
    try {
      der = SecretBox.open(box, nonce, key);
      return pkcs8(der);
    } finally {
      Arrays.fill(key, (byte) 0);
      if (der != null) {
        Arrays.fill(der, (byte) 0);
      }
    }
  }

  /** Encrypts {@code key} as cosign does: scrypt N=32768, r=8, p=1, random salt and nonce. */
  public static String encrypt(PrivateKey key, char[] password) {
    return encrypt(key, password, new SecureRandom());
  }

  public static String encrypt(PrivateKey privateKey, char[] password, SecureRandom random) {
    byte[] salt = new byte[SALT_BYTES];
    byte[] nonce = new byte[SecretBox.NONCE_BYTES];
    random.nextBytes(salt);
    random.nextBytes(nonce);
    ScryptParameters scrypt = ScryptParameters.COSIGN_DEFAULT;
    byte[] der = privateKey.getEncoded();
    if (der == null || !"PKCS#8".equals(privateKey.getFormat())) {
      throw new KeyFormatException("private key cannot be exported as PKCS#8");
    }
    byte[] key = deriveKey(password, salt, scrypt);
    try {
      byte[] box = SecretBox.seal(der, nonce, key);
      Base64.Encoder b64 = Base64.getEncoder();
      EncryptedKeyDocument document =
          new EncryptedKeyDocument(
              new EncryptedKeyDocument.Kdf(
                  EncryptedKeyDocument.SCRYPT,
                  new EncryptedKeyDocument.Params(scrypt.n(), scrypt.r(), scrypt.p()),
                  b64.encodeToString(salt)),
              new EncryptedKeyDocument.Cipher(
                  EncryptedKeyDocument.SECRETBOX, b64.encodeToString(nonce)),
              b64.encodeToString(box));
      return new PemBlock(LABEL, MAPPER.writeValueAsBytes(document)).encode();
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise an encrypted key document", e);
    } finally {
      Arrays.fill(key, (byte) 0);
      Arrays.fill(der, (byte) 0);
    }
  }

  private static EncryptedKeyDocument readDocument(byte[] json) {
    EncryptedKeyDocument document;
    try {
      document = MAPPER.readValue(json, EncryptedKeyDocument.class);
    } catch (IOException e) {
      throw new KeyFormatException("encrypted key body is not the expected JSON document");
    }
    if (document == null
        || document.kdf() == null
        || document.cipher() == null
        || document.ciphertext() == null) {
      throw new KeyFormatException("encrypted key lacks one of kdf, cipher, ciphertext");
    }
    if (!EncryptedKeyDocument.SCRYPT.equals(document.kdf().name())) {
      throw new KeyFormatException(
          "unsupported key derivation '" + document.kdf().name() + "'; expected scrypt");
    }
    if (!EncryptedKeyDocument.SECRETBOX.equals(document.cipher().name())) {
      throw new KeyFormatException(
          "unsupported cipher '" + document.cipher().name() + "'; expected nacl/secretbox");
    }
    return document;
  }

  private static ScryptParameters scryptParameters(EncryptedKeyDocument.Kdf kdf) {
    EncryptedKeyDocument.Params params = kdf.params();
    if (params == null || params.n() == null || params.r() == null || params.p() == null) {
      throw new KeyFormatException("encrypted key lacks scrypt parameters N, r, p");
    }
    return new ScryptParameters(params.n(), params.r(), params.p());
  }

  private static byte[] deriveKey(char[] password, byte[] salt, ScryptParameters scrypt) {
    byte[] passwordBytes = utf8(password);
    try {
      return SCrypt.generate(
          passwordBytes, salt, scrypt.n(), scrypt.r(), scrypt.p(), SecretBox.KEY_BYTES);
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
    }
  }

  private static byte[] utf8(char[] password) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    return bytes;
  }

  private static byte[] base64(String value, String field) {
    if (value == null) {
      throw new KeyFormatException("encrypted key lacks " + field);
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException("encrypted key field " + field + " is not valid base64");
    }
  }

  private static PrivateKey pkcs8(byte[] der) {
    ASN1Sequence sequence;
    try {
      sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
    } catch (IOException | RuntimeException e) {
      throw new KeyFormatException("decrypted key is not DER; expected a PKCS#8 private key");
    }
    if (isSec1(sequence)) {
      throw new KeyFormatException(
          "decrypted key is a SEC1 'EC PRIVATE KEY', which cosign rejects; expected PKCS#8");
    }
    PrivateKeyInfo info;
    try {
      info = PrivateKeyInfo.getInstance(sequence);
    } catch (RuntimeException e) {
      throw new KeyFormatException("decrypted key is not a PKCS#8 private key");
    }
    return KeyDecoder.privateKey(info, der);
  }

  // RFC 5915 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, ... }. PKCS#8 starts with
  // INTEGER 0 or 1 followed by an AlgorithmIdentifier SEQUENCE, so the OCTET STRING tells them
  // apart.
  private static boolean isSec1(ASN1Sequence sequence) {
    if (sequence.size() < 2) {
      return false;
    }
    ASN1Encodable version = sequence.getObjectAt(0);
    return version instanceof ASN1Integer v
        && v.hasValue(1)
        && sequence.getObjectAt(1) instanceof ASN1OctetString;
  }
}
