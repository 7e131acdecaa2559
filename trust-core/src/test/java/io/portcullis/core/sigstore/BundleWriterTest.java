package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.testing.InteropFixtures;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link BundleWriter} writes what {@link SigstoreBundle#parse} reads: every public-good fixture,
 * written back, parses to the same fields and still verifies (a dropped or mangled field would
 * break the signature, the log entry or the chain).
 */
class BundleWriterTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bundle.sigstore",
        "bundle.v1.sigstore",
        "bundle.v3.sigstore",
        "bundle.v3_1.no.inclusion.sigstore",
        "bundle-no-digest.sigstore",
        "bundle.dsse.sigstore",
        "bundle-with-timestamp.sigstore",
        "PKIX_RSA_PKCS1V15_2048_SHA256.sigstore.json"
      })
  void aFixtureWrittenBackReadsTheSameAndStillVerifies(String name) {
    SigstoreBundle original = LogFixtures.bundle(name);
    SigstoreBundle again = SigstoreBundle.parse(BundleWriter.write(original));

    assertEquals(original.mediaType(), again.mediaType());
    assertEquals(original.certificates(), again.certificates());
    assertEquals(original.publicKeyHint(), again.publicKeyHint());
    assertEquals(original.tlogEntries().size(), again.tlogEntries().size());
    for (int i = 0; i < original.tlogEntries().size(); i++) {
      TlogEntry a = original.tlogEntries().get(i);
      TlogEntry b = again.tlogEntries().get(i);
      assertEquals(a.logIndex(), b.logIndex());
      assertArrayEquals(a.logId(), b.logId());
      assertEquals(a.kind() + a.version(), b.kind() + b.version());
      assertEquals(a.integratedTime(), b.integratedTime());
      assertArrayEquals(a.canonicalizedBody(), b.canonicalizedBody());
      assertEquals(a.signedEntryTimestamp().isPresent(), b.signedEntryTimestamp().isPresent());
      assertEquals(a.inclusionProof().isPresent(), b.inclusionProof().isPresent());
    }
    assertEquals(original.rfc3161Timestamps().size(), again.rfc3161Timestamps().size());
    assertEquals(original.dsseEnvelope().isPresent(), again.dsseEnvelope().isPresent());

    X509Certificate leaf = original.certificates().get(0);
    String san = FulcioExtensions.subjectAlternativeNames(leaf).get(0);
    CertificateIdentity identity =
        new CertificateIdentity(null, Pattern.compile(".*"), san, null, Map.of());
    String root =
        name.equals("bundle-with-timestamp.sigstore")
            ? "staging_trusted_root_with_one_tsa.json"
            : LogFixtures.PUBLIC_GOOD;
    BundleOutcome outcome =
        new BundleVerifier(LogFixtures.root(root))
            .verify(
                again,
                Artifact.ofContent(InteropFixtures.bytes("sigstore/bundles/artifact.txt")),
                VerificationRequirements.keyless(List.of(identity)));
    assertTrue(outcome.verified(), name + ": " + outcome.failure());
  }

  @org.junit.jupiter.api.Test
  void aV03BundleCarriesItsLeafAsCertificateAndOlderOnesAChain() {
    String v3 = new String(BundleWriter.write(LogFixtures.bundle("bundle.v3.sigstore")));
    assertTrue(v3.contains("\"certificate\":{\"rawBytes\""), v3);
    String v2 = new String(BundleWriter.write(LogFixtures.bundle("bundle.v2.sigstore")));
    assertTrue(v2.contains("\"x509CertificateChain\":{\"certificates\":["), v2);
    assertTrue(v2.contains("\"logIndex\":\""), "int64 as a decimal string: " + v2);
  }
}
