package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlogVerifierTest {

  /** Inclusion, then the body: "ok" or the first failure's message. */
  private static String verify(String bundleFile, String rootFile) {
    SigstoreBundle bundle = LogFixtures.bundle(bundleFile);
    TrustedRoot root = LogFixtures.root(rootFile);
    TlogEntry entry = bundle.tlogEntries().get(0);
    try {
      TlogVerifier.verifyInclusion(entry, root);
      TlogVerifier.requireBodyMatches(entry, bundle, LogFixtures.artifactSha256(), null);
      return "ok";
    } catch (SigstoreVerificationException e) {
      return e.getMessage();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "bundle.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v1.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v2.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v3.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v3_1.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v1.no.inclusion.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v2.no.inclusion.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v3.no.inclusion.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.v3_1.no.inclusion.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle-no-digest.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle-with-expired-cert.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.dsse.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle.dsse.rekor-v2.sigstore, " + LogFixtures.PUBLIC_GOOD,
    "bundle-with-timestamp.sigstore, " + LogFixtures.STAGING,
    "bundle-with-rekor-v2-entry.sigstore, " + LogFixtures.STAGING,
    "PKIX_ECDSA_P256_SHA_256.sigstore.json, " + LogFixtures.PUBLIC_GOOD,
    "PKIX_ECDSA_P384_SHA_384.sigstore.json, " + LogFixtures.PUBLIC_GOOD,
    "PKIX_ECDSA_P521_SHA_512.sigstore.json, " + LogFixtures.PUBLIC_GOOD,
    "PKIX_RSA_PKCS1V15_2048_SHA256.sigstore.json, " + LogFixtures.PUBLIC_GOOD,
    "PKIX_RSA_PKCS1V15_3072_SHA256.sigstore.json, " + LogFixtures.PUBLIC_GOOD,
    "PKIX_RSA_PKCS1V15_4096_SHA256.sigstore.json, " + LogFixtures.PUBLIC_GOOD,
  })
  void loggedBundlesVerify(String bundle, String root) {
    assertEquals("ok", verify(bundle, root));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bundle-with-mismatched-set.sigstore | entry SET was not valid",
        "bundle-with-wrong-tlog-entry.sigstore | transparency log entry body records a different",
        "bundle-with-bad-checkpoint-signature.sigstore | checkpoint signature of rekor.sigstore.dev"
            + " is not valid",
        "bundle.dsse.mismatched-envelope.sigstore | transparency log entry body records a"
            + " different payload hash",
        "bundle.dsse.mismatched-signature.sigstore | transparency log entry body records a"
            + " different signature",
      })
  void tamperedPublicGoodBundlesFail(String bundle, String message) {
    String result = verify(bundle, LogFixtures.PUBLIC_GOOD);
    assertTrue(result.startsWith(message), result);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bundle.dsse.rekor-v2.bad-entry-type.sigstore | transparency log entry body kind"
            + " dsse:0.0.2 is not supported",
        "bundle.dsse.rekor-v2.mismatched-envelope.sigstore | transparency log entry body records a"
            + " different artifact digest",
        "bundle.dsse.rekor-v2.mismatched-signature.sigstore | transparency log entry body records"
            + " a different signature",
      })
  void rekorV2DsseBodiesThatDoNotFitFail(String file, String message) {
    SigstoreBundle bundle = LogFixtures.bundle(file);
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () ->
                TlogVerifier.requireBodyMatches(
                    bundle.tlogEntries().get(0), bundle, LogFixtures.artifactSha256(), null));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void aSetVouchesForTheIntegratedTimeAndARekorV2EntryHasNone() throws Exception {
    SigstoreBundle v1 = LogFixtures.bundle("bundle.v3.sigstore");
    TlogVerifier.VerifiedEntry e1 =
        TlogVerifier.verifyInclusion(
            v1.tlogEntries().get(0), LogFixtures.root(LogFixtures.PUBLIC_GOOD));
    assertEquals(
        Optional.of(Instant.ofEpochSecond(v1.tlogEntries().get(0).integratedTime())),
        e1.integratedTime());
    assertEquals("https://rekor.sigstore.dev", e1.log().baseUrl());

    SigstoreBundle v2 = LogFixtures.bundle("bundle-with-rekor-v2-entry.sigstore");
    TlogVerifier.VerifiedEntry e2 =
        TlogVerifier.verifyInclusion(
            v2.tlogEntries().get(0), LogFixtures.root(LogFixtures.STAGING));
    assertEquals(Optional.empty(), e2.integratedTime());
  }

  @Test
  void anEntryOfALogTheRootDoesNotListFails() {
    // the public-good entry against the staging root
    assertTrue(
        verify("bundle.v3.sigstore", LogFixtures.STAGING)
            .matches("transparency log c0d23d6a[0-9a-f]+ is not in the trusted root"));
  }

  @Test
  void theLogMustBeValidAtTheIntegratedTime() {
    TrustedRoot real = LogFixtures.root(LogFixtures.PUBLIC_GOOD);
    SigstoreBundle bundle = LogFixtures.bundle("bundle.v3.sigstore");
    Instant integrated = Instant.ofEpochSecond(bundle.tlogEntries().get(0).integratedTime());
    TrustedRoot later =
        new TrustedRoot(
            real.mediaType(),
            real.tlogs().stream()
                .map(
                    l ->
                        new TransparencyLog(
                            l.baseUrl(),
                            l.logId(),
                            l.publicKeyDer(),
                            l.key(),
                            l.keyDetails(),
                            new Validity(integrated.plusSeconds(1), null)))
                .toList(),
            real.certificateAuthorities(),
            real.ctlogs(),
            real.timestampAuthorities(),
            real.sha256());
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () -> TlogVerifier.verifyInclusion(bundle.tlogEntries().get(0), later));
    assertTrue(
        e.getMessage().contains("was not valid at the entry's integrated time " + integrated),
        e.getMessage());
  }

  @Test
  void aChangedIntegratedTimeBreaksTheSet() {
    SigstoreBundle bundle = LogFixtures.bundle("bundle.v3.no.inclusion.sigstore");
    TlogEntry real = bundle.tlogEntries().get(0);
    TlogEntry shifted =
        new TlogEntry(
            real.logIndex(),
            real.logId(),
            real.kind(),
            real.version(),
            real.integratedTime() + 1,
            real.canonicalizedBody(),
            real.signedEntryTimestamp(),
            Optional.empty());
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () -> TlogVerifier.verifyInclusion(shifted, LogFixtures.root(LogFixtures.PUBLIC_GOOD)));
    assertEquals(
        "entry SET was not valid: not signed by transparency log https://rekor.sigstore.dev",
        e.getMessage());
  }

  @Test
  void anEntryWithNeitherSetNorProofFails() {
    SigstoreBundle bundle = LogFixtures.bundle("bundle.v3.sigstore");
    TlogEntry real = bundle.tlogEntries().get(0);
    TlogEntry bare =
        new TlogEntry(
            real.logIndex(),
            real.logId(),
            real.kind(),
            real.version(),
            real.integratedTime(),
            real.canonicalizedBody(),
            Optional.empty(),
            Optional.empty());
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () -> TlogVerifier.verifyInclusion(bare, LogFixtures.root(LogFixtures.PUBLIC_GOOD)));
    assertTrue(e.getMessage().contains("neither an inclusion promise (SET) nor"), e.getMessage());
  }
}
