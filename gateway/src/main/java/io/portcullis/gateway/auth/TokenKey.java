package io.portcullis.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
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

  /**
   * The key derived from {@code seed} (at least 32 random bytes, the same on every replica: the
   * shared state's {@code token-signing} key), so replicas behind one load balancer sign and accept
   * each other's tokens without a key file to distribute. The private scalar is the seed's first 32
   * bytes reduced into [1, n-1]; n is within 2^224 of 2^256, so the reduction folds a share of
   * about 2^-32 of the seeds and the key stays uniform for every practical purpose.
   */
  public static TokenKey fromSeed(byte[] seed) {
    if (seed.length < 32) {
      throw new IllegalArgumentException("a token key seed has at least 32 bytes");
    }
    X9ECParameters curve = CustomNamedCurves.getByName("secp256r1");
    BigInteger n = curve.getN();
    BigInteger d =
        new BigInteger(1, Arrays.copyOf(seed, 32))
            .mod(n.subtract(BigInteger.ONE))
            .add(BigInteger.ONE);
    org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(d).normalize();
    try {
      ECParameterSpec spec = Curve.P_256.toECParameterSpec();
      KeyFactory factory = KeyFactory.getInstance("EC");
      ECPrivateKey privateKey =
          (ECPrivateKey) factory.generatePrivate(new ECPrivateKeySpec(d, spec));
      ECPublicKey publicKey =
          (ECPublicKey)
              factory.generatePublic(
                  new ECPublicKeySpec(
                      new ECPoint(
                          q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                      spec));
      ECKey ec = new ECKey.Builder(Curve.P_256, publicKey).privateKey(privateKey).build();
      return new TokenKey(new ECKey.Builder(ec).keyID(ec.computeThumbprint().toString()).build());
    } catch (GeneralSecurityException | JOSEException e) {
      throw new IllegalStateException("cannot make an EC P-256 key: " + e.getMessage(), e);
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
