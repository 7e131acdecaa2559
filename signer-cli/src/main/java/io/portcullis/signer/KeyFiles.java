package io.portcullis.signer;

import io.portcullis.core.keys.EncryptedPrivateKeyPem;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.WrongPasswordException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * Reads the key files the commands take. A missing file, a malformed key or a wrong password is a
 * usage error: the fix is in the command line, not in the registry or the image.
 */
final class KeyFiles {
  private KeyFiles() {}

  static PrivateKey cosignPrivateKey(Path file, PasswordOptions password) {
    String pem = read(file, "--key");
    char[] secret = password.read("Password for " + file, false);
    try {
      return EncryptedPrivateKeyPem.decrypt(pem, secret);
    } catch (WrongPasswordException e) {
      throw new UsageException("cannot decrypt " + file + ": wrong password or corrupted key");
    } catch (KeyFormatException e) {
      throw new UsageException(file + ": " + e.getMessage());
    } finally {
      Arrays.fill(secret, '\0');
    }
  }

  static PublicKey publicKey(Path file) {
    try {
      return PublicKeyPem.parse(read(file, "--key"));
    } catch (KeyFormatException e) {
      throw new UsageException(file + ": " + e.getMessage());
    }
  }

  /**
   * The public half of {@code key}, which a cosign private key file does not carry: the bundle's
   * key hint and a Rekor entry's verifier need it.
   */
  static PublicKey publicKeyOf(PrivateKey key) {
    try {
      AsymmetricKeyParameter params = PrivateKeyFactory.createKey(key.getEncoded());
      AsymmetricKeyParameter pub;
      if (params instanceof ECPrivateKeyParameters ec) {
        pub =
            new ECPublicKeyParameters(
                ec.getParameters().getG().multiply(ec.getD()).normalize(), ec.getParameters());
      } else if (params instanceof Ed25519PrivateKeyParameters ed) {
        pub = ed.generatePublicKey();
      } else if (params instanceof RSAPrivateCrtKeyParameters rsa) {
        pub = new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
      } else {
        throw new UsageException(key.getAlgorithm() + " keys cannot sign bundles");
      }
      return PublicKeyPem.fromDer(
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub).getEncoded());
    } catch (IOException | KeyFormatException e) {
      throw new UsageException("cannot derive the public key: " + e.getMessage());
    }
  }

  static String read(Path file, String option) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UsageException("cannot read " + option + " " + file);
    }
  }
}
