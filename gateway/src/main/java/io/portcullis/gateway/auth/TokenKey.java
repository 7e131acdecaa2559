package io.portcullis.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * The ES256 key that signs the gateway's tokens, kept as a PEM file. Its {@code kid} is the key's
 * <a href="https://www.rfc-editor.org/rfc/rfc7638">RFC 7638 thumbprint</a>, so it is the same after
 * a restart and on every replica sharing the file, and a new key (rotation) gets a new kid.
 */
public record TokenKey(ECKey jwk) {

  /** Reads {@code file}, or creates it (mode 0600) with a new key when absent. */
  public static TokenKey loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      create(file);
    }
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    try {
      JWK parsed = JWK.parseFromPEMEncodedObjects(pem);
      if (!(parsed instanceof ECKey ec) || ec.getCurve() != Curve.P_256 || !ec.isPrivate()) {
        throw new IOException(file + " is not an EC P-256 private key");
      }
      String kid = ec.computeThumbprint().toString();
      return new TokenKey(new ECKey.Builder(ec).keyID(kid).build());
    } catch (JOSEException e) {
      throw new IOException(file + " is not a PEM EC private key");
    }
  }

  public String kid() {
    return jwk.getKeyID();
  }

  /**
   * Writes a new key beside {@code file} and links it into place, so two replicas starting at once
   * both end up with whichever key landed first, never a file half written.
   */
  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    ECKey key;
    try {
      key = new ECKeyGenerator(Curve.P_256).generate();
    } catch (JOSEException e) {
      throw new IOException("cannot generate an EC P-256 key: " + e.getMessage(), e);
    }
    StringWriter pem = new StringWriter();
    // PKCS#8 and the public key beside it: the JDK's EC private key alone does not carry it.
    try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
      writer.writeObject(new JcaPKCS8Generator(key.toECPrivateKey(), null));
      writer.writeObject(key.toECPublicKey());
    } catch (JOSEException e) {
      throw new IOException("cannot encode the new token key", e);
    }
    Path tmp =
        Files.createTempFile(
            dir,
            ".token-key",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(tmp, pem.toString(), StandardCharsets.US_ASCII);
      Files.createLink(file, tmp);
    } catch (FileAlreadyExistsException raced) {
      // another process made it first: use theirs
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
