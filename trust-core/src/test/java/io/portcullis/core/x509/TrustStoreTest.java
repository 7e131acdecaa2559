package io.portcullis.core.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.notation.InteropFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {

  @Test
  void nonCaLeafIsRefusedAsCaStore() {
    List<Path> leaf = List.of(InteropFixtures.path("truststore/non-ca-leaf.crt"));
    CertificateChainException e =
        assertThrows(
            CertificateChainException.class,
            () -> TrustStore.fromFiles(TrustStoreType.CA, "leafy", leaf));
    assertTrue(
        e.getMessage().contains("neither a CA certificate nor a self-signed"), e.getMessage());
    assertTrue(e.getMessage().contains("CN=wabbit-networks.io"), e.getMessage());
  }

  @Test
  void loadsNotationLayoutWithPemAndDer(@TempDir Path root) throws Exception {
    Path dir = Files.createDirectories(root.resolve("x509/tsa/globalsign"));
    // globalsignRoot.cer is DER, NotationTestRoot.pem is PEM
    Files.copy(InteropFixtures.path("truststore/tsa/globalsignRoot.cer"), dir.resolve("a.cer"));
    Files.copy(InteropFixtures.path("truststore/ca/NotationTestRoot.pem"), dir.resolve("b.pem"));
    TrustStore store = TrustStore.load(root, TrustStoreType.TSA, "globalsign");
    assertEquals(2, store.certificates().size());
    assertEquals("tsa:globalsign", store.reference());
  }

  @Test
  void selfSignedLeafIsAllowed() {
    TrustStore store =
        TrustStore.fromFiles(
            TrustStoreType.CA,
            "alpine",
            List.of(InteropFixtures.path("truststore/ca/TestTimestamp.crt")));
    assertEquals(1, store.certificates().size());
  }

  @Test
  void refusesNamesThatLeaveTheRoot(@TempDir Path root) {
    assertThrows(
        CertificateChainException.class, () -> TrustStore.load(root, TrustStoreType.CA, "../etc"));
  }

  @Test
  void refusesEmptyOrMissingStores(@TempDir Path root) throws Exception {
    assertThrows(
        CertificateChainException.class, () -> TrustStore.load(root, TrustStoreType.CA, "none"));
    Files.createDirectories(root.resolve("x509/ca/empty"));
    assertThrows(
        CertificateChainException.class, () -> TrustStore.load(root, TrustStoreType.CA, "empty"));
  }

  @Test
  void refusesFilesThatAreNotCertificates(@TempDir Path root) throws Exception {
    Path dir = Files.createDirectories(root.resolve("x509/ca/junk"));
    Files.writeString(dir.resolve("x.crt"), "not a certificate");
    assertThrows(
        CertificateChainException.class, () -> TrustStore.load(root, TrustStoreType.CA, "junk"));
  }
}
