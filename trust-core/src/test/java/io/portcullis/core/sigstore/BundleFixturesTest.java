package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.testing.InteropFixtures;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bundle of {@code shared/interop/sigstore/bundles} gives the result its README documents,
 * with the trusted root it names, over {@code artifact.txt}; identities are the ones the fixtures'
 * certificates carry (as sigstore-java's {@code KeylessVerifierTest} uses them).
 */
class BundleFixturesTest {
  private static final String GOOD = LogFixtures.PUBLIC_GOOD;
  private static final String STAGING = LogFixtures.STAGING;
  private static final CertificateIdentity APPU = email("appu@google.com");
  private static final CertificateIdentity BEACON =
      new CertificateIdentity(
          "https://token.actions.githubusercontent.com",
          null,
          "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/"
              + "workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
          null,
          Map.of());
  private static final CertificateIdentity AARON = email("aaronlew@google.com");
  private static final CertificateIdentity UNTRUSTED_SA =
      email("untrusted-sa@sigstore-conformance.iam.gserviceaccount.com");
  private static final CertificateIdentity PROVENANCE =
      new CertificateIdentity(
          "https://token.actions.githubusercontent.com",
          null,
          null,
          Pattern.compile("^https://github\\.com/loosebazooka/aa-test/"),
          Map.of());

  private static CertificateIdentity email(String who) {
    return new CertificateIdentity("https://accounts.google.com", null, who, null, Map.of());
  }

  /** file, trusted root, identity (null: key-based), null to verify or a failure fragment. */
  static Stream<Arguments> keyless() {
    return Stream.of(
        Arguments.of("bundle.v1.sigstore", GOOD, APPU, null),
        Arguments.of("bundle.v2.sigstore", GOOD, APPU, null),
        Arguments.of("bundle.v3.sigstore", GOOD, APPU, null),
        Arguments.of("bundle.v3_1.sigstore", GOOD, APPU, null),
        Arguments.of("bundle.v1.no.inclusion.sigstore", GOOD, APPU, null),
        Arguments.of("bundle.v2.no.inclusion.sigstore", GOOD, APPU, null),
        Arguments.of("bundle.v3.no.inclusion.sigstore", GOOD, APPU, null),
        Arguments.of("bundle.v3_1.no.inclusion.sigstore", GOOD, APPU, null),
        Arguments.of("bundle.sigstore", GOOD, APPU, null),
        Arguments.of("bundle-no-digest.sigstore", GOOD, APPU, null),
        Arguments.of(
            "bundle.sigstore", GOOD, email("someone@example.com"), "does not match subject"),
        Arguments.of("bundle-with-mismatched-set.sigstore", GOOD, BEACON, "SET"),
        Arguments.of("bundle-with-wrong-tlog-entry.sigstore", GOOD, APPU, "entry"),
        Arguments.of("bundle-with-bad-checkpoint-signature.sigstore", GOOD, BEACON, "checkpoint"),
        Arguments.of("bundle-with-expired-cert.sigstore", GOOD, UNTRUSTED_SA, "not valid at"),
        Arguments.of("bundle-with-timestamp.sigstore", STAGING, AARON, null),
        Arguments.of("bundle-with-rekor-v2-entry.sigstore", STAGING, AARON, null),
        Arguments.of("bundle.dsse.sigstore", GOOD, PROVENANCE, null),
        Arguments.of("bundle.dsse.rekor-v2.sigstore", GOOD, UNTRUSTED_SA, null),
        Arguments.of("bundle.dsse.bad-signature.sigstore", GOOD, PROVENANCE, "DSSE signature"),
        Arguments.of(
            "bundle.dsse.mismatched-envelope.sigstore", GOOD, BEACON, "records a different"),
        Arguments.of("bundle.dsse.mismatched-signature.sigstore", GOOD, BEACON, "signature"),
        Arguments.of("bundle.dsse.rekor-v2.bad-entry-type.sigstore", STAGING, AARON, "dsse"),
        Arguments.of(
            "bundle.dsse.rekor-v2.bad-signature.sigstore", STAGING, BEACON, "DSSE signature"),
        Arguments.of(
            "bundle.dsse.rekor-v2.mismatched-envelope.sigstore",
            STAGING,
            BEACON,
            "records a different"),
        Arguments.of(
            "bundle.dsse.rekor-v2.mismatched-signature.sigstore", STAGING, BEACON, "signature"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyless")
  void keylessBundles(String file, String root, CertificateIdentity identity, String failure) {
    BundleOutcome outcome =
        new BundleVerifier(LogFixtures.root(root))
            .verify(
                LogFixtures.bundle(file),
                artifact(),
                VerificationRequirements.keyless(List.of(identity)));
    check(outcome, failure);
    if (outcome.verified()) {
      assertTrue(outcome.signedAt().isPresent());
      assertEquals(identity.issuer(), outcome.signer().orElseThrow().issuer().orElseThrow());
    }
  }

  static Stream<String> algorithms() {
    return Stream.of(
        "PKIX_ECDSA_P256_SHA_256.sigstore.json",
        "PKIX_ECDSA_P384_SHA_384.sigstore.json",
        "PKIX_ECDSA_P521_SHA_512.sigstore.json",
        "PKIX_RSA_PKCS1V15_2048_SHA256.sigstore.json",
        "PKIX_RSA_PKCS1V15_3072_SHA256.sigstore.json",
        "PKIX_RSA_PKCS1V15_4096_SHA256.sigstore.json");
  }

  /** The PKIX_* fixtures are keyless signatures whose leaf key is of each algorithm. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void keylessOfEachKeyAlgorithm(String file) {
    check(
        new BundleVerifier(LogFixtures.root(GOOD))
            .verify(
                LogFixtures.bundle(file),
                artifact(),
                VerificationRequirements.keyless(List.of(UNTRUSTED_SA))),
        null);
  }

  /**
   * The same signatures as key-based bundles (certificate and log entry removed, the leaf's key
   * trusted): each algorithm's message signature verifies under the key, and not under another.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void keyBasedOfEachKeyAlgorithm(String file) {
    SigstoreBundle keyless = LogFixtures.bundle(file);
    PublicKey key = loggedKey(keyless);
    assertEquals(key, keyless.certificates().get(0).getPublicKey());
    SigstoreBundle bundle =
        new SigstoreBundle(
            keyless.mediaType(),
            List.of(),
            Optional.of(""),
            List.of(),
            List.of(),
            keyless.messageSignature(),
            Optional.empty());
    BundleVerifier verifier = new BundleVerifier(LogFixtures.root(GOOD));
    check(
        verifier.verify(bundle, artifact(), VerificationRequirements.keys(List.of(key), false)),
        null);
    BundleOutcome wrong =
        verifier.verify(
            bundle,
            artifact(),
            VerificationRequirements.keys(List.of(FulcioTestPki.ecKey().getPublic()), false));
    assertFalse(wrong.verified());
    assertFalse(
        verifier
            .verify(bundle, artifact(), VerificationRequirements.keys(List.of(key), true))
            .verified());
  }

  private static PublicKey loggedKey(SigstoreBundle bundle) {
    JsonNode body = StrictJson.readObject(bundle.tlogEntries().get(0).canonicalizedBody());
    String pem =
        new String(
            Base64.getDecoder().decode(body.at("/spec/signature/publicKey/content").asText()),
            StandardCharsets.UTF_8);
    // sigstore-java logged these signatures with a self-signed certificate around the key
    return pem.contains("CERTIFICATE")
        ? CertificatePem.parseAll(pem).get(0).getPublicKey()
        : PublicKeyPem.parse(pem);
  }

  private static Artifact artifact() {
    return Artifact.ofContent(InteropFixtures.bytes("sigstore/bundles/artifact.txt"));
  }

  private static void check(BundleOutcome outcome, String failure) {
    if (failure == null) {
      assertTrue(outcome.verified(), outcome.failure());
      assertEquals(Optional.empty(), Optional.of(outcome.failure()).filter(f -> !f.isEmpty()));
    } else {
      assertFalse(outcome.verified(), "expected a failure mentioning " + failure);
      assertTrue(outcome.failure().contains(failure), outcome.failure());
    }
  }
}
