package io.portcullis.core.x509;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevPkiTest {
  private static final DevPki PKI = DevPki.generate();

  @Test
  void writtenChainLeadsToRootThroughIntermediateAndMeetsNotaryRules(@TempDir Path dir)
      throws Exception {
    PKI.writeTo(dir, false);
    List<X509Certificate> signer = CertificateReader.read(dir.resolve("signer.crt"));
    X509Certificate intermediate = CertificateReader.read(dir.resolve("intermediate.crt")).get(0);
    X509Certificate root = CertificateReader.read(dir.resolve("root.crt")).get(0);
    assertEquals(List.of(PKI.signer(), intermediate), signer);
    assertTrue(CertificateRequirements.isIssuedBy(signer.get(0), intermediate));
    assertTrue(CertificateRequirements.isIssuedBy(intermediate, root));

    TrustStore store = new TrustStore(TrustStoreType.CA, "dev", List.of(root));
    X509Certificate anchor =
        TrustChainValidator.validate(
            List.of(signer.get(0), intermediate, root),
            List.of(store),
            CertificateRequirements.Purpose.CODE_SIGNING,
            Instant.now());
    assertEquals(root, anchor);
    assertTrue(signer.get(0).getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.3"));
  }

  @Test
  void signerKeyIsPkcs8AndMatchesTheCertificate(@TempDir Path dir) throws Exception {
    PKI.writeTo(dir, false);
    assertTrue(
        Files.readString(dir.resolve("signer.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
    PrivateKey key = PemFiles.readPrivateKey(dir.resolve("signer.key"));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    s.initVerify(PKI.signer().getPublicKey());
    s.update(new byte[] {1, 2, 3});
    assertTrue(s.verify(sig));
  }

  @Test
  void privateKeysAreOwnerOnly(@TempDir Path dir) throws Exception {
    PKI.writeTo(dir, false);
    Set<PosixFilePermission> ownerOnly =
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertEquals(ownerOnly, Files.getPosixFilePermissions(dir.resolve("signer.key")));
    assertEquals(ownerOnly, Files.getPosixFilePermissions(dir.resolve("tls.key")));
  }

  @Test
  void tlsCertificateNamesLocalhostAndLoopback(@TempDir Path dir) throws Exception {
    PKI.writeTo(dir, false);
    X509Certificate tls = CertificateReader.read(dir.resolve("tls.crt")).get(0);
    List<Object> sans = List.copyOf(tls.getSubjectAlternativeNames());
    assertTrue(sans.contains(List.of(2, "localhost")), sans.toString());
    assertTrue(sans.contains(List.of(7, "127.0.0.1")), sans.toString());
    assertTrue(tls.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"));
    assertTrue(CertificateRequirements.isIssuedBy(tls, PKI.intermediate()));
  }

  @Test
  void refusesToOverwriteUnlessAsked(@TempDir Path dir) throws Exception {
    PKI.writeTo(dir, false);
    byte[] before = Files.readAllBytes(dir.resolve("signer.key"));
    DevPki other = DevPki.generate();
    assertThrows(FileAlreadyExistsException.class, () -> other.writeTo(dir, false));
    assertArrayEquals(before, Files.readAllBytes(dir.resolve("signer.key")));
    other.writeTo(dir, true);
    assertEquals(other.signer(), CertificateReader.read(dir.resolve("signer.crt")).get(0));
    assertEquals(
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(dir.resolve("signer.key")));
  }

  @Test
  void toStringShowsNoKeyMaterial() {
    String text = PKI.toString();
    assertTrue(!text.contains("PRIVATE") && text.contains("Portcullis Dev Signer"), text);
  }
}
