package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.testing.InteropFixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Real public-good keyless bundles under changed requirements, roots and artifacts: what must make
 * a good bundle fail (another identity, issuer, extension value; a CA not valid at the logged time;
 * another artifact; a tampered signature; no log entry), and the identity forms that must pass
 * (regexp as cosign searches, the GitHub workflow extensions of a real Actions certificate).
 */
class KeylessFixtureVariantsTest {
  private static final String GH = "https://token.actions.githubusercontent.com";
  private static final String GOOGLE = "https://accounts.google.com";
  private static final String WORKFLOW =
      "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";

  private static Artifact artifact() {
    return Artifact.ofContent(InteropFixtures.bytes("sigstore/bundles/artifact.txt"));
  }

  private static BundleOutcome verify(
      String bundle, Artifact artifact, CertificateIdentity... identities) {
    return new BundleVerifier(LogFixtures.root(LogFixtures.PUBLIC_GOOD))
        .verify(
            LogFixtures.bundle(bundle),
            artifact,
            VerificationRequirements.keyless(List.of(identities)));
  }

  private static CertificateIdentity actions(Map<String, String> extensions) {
    return new CertificateIdentity(GH, null, WORKFLOW, null, extensions);
  }

  private static void fails(BundleOutcome outcome, String fragment) {
    assertFalse(outcome.verified(), "expected a failure containing " + fragment);
    assertTrue(outcome.failure().contains(fragment), outcome.failure());
  }

  @Test
  void githubActionsIdentityWithWorkflowExtensions() {
    BundleOutcome outcome =
        verify(
            "bundle.dsse.sigstore",
            artifact(),
            actions(
                Map.of(
                    "githubWorkflowTrigger", "workflow_dispatch",
                    "githubWorkflowRepository", "loosebazooka/aa-test",
                    "githubWorkflowRef", "refs/heads/main",
                    "sourceRepositoryUri", "https://github.com/loosebazooka/aa-test",
                    "sourceRepositoryRef", "refs/heads/main",
                    "buildTrigger", "workflow_dispatch",
                    "runnerEnvironment", "github-hosted")));
    assertTrue(outcome.verified(), outcome.failure());
    assertEquals(Optional.of("https://slsa.dev/provenance/v1"), outcome.predicateType());
    assertEquals(WORKFLOW, outcome.signer().orElseThrow().subject().orElseThrow());
    assertEquals(GH, outcome.signer().orElseThrow().issuer().orElseThrow());
    assertTrue(outcome.logIndex().isPresent());
  }

  @Test
  void anotherRefIsDeniedNamingTheExtension() {
    fails(
        verify(
            "bundle.dsse.sigstore",
            artifact(),
            actions(Map.of("sourceRepositoryRef", "refs/tags/v1"))),
        "certificate sourceRepositoryRef 'refs/heads/main', expected 'refs/tags/v1'");
  }

  @Test
  void subjectRegExpIsSearchedLikeCosign() {
    CertificateIdentity ok =
        new CertificateIdentity(
            null,
            Pattern.compile("^https://token\\.actions\\.githubusercontent\\.com$"),
            null,
            Pattern.compile("^https://github\\.com/loosebazooka/[^/]+/\\.github/workflows/"),
            Map.of());
    assertTrue(verify("bundle.dsse.sigstore", artifact(), ok).verified());
    CertificateIdentity other =
        new CertificateIdentity(
            GH, null, null, Pattern.compile("^https://github\\.com/myorg/"), Map.of());
    fails(
        verify("bundle.dsse.sigstore", artifact(), other),
        "certificate identity '" + WORKFLOW + "' does not match subjectRegExp");
  }

  @Test
  void wrongIssuerIsDenied() {
    fails(
        verify(
            "bundle.sigstore",
            artifact(),
            new CertificateIdentity(GH, null, "appu@google.com", null, Map.of())),
        "certificate issuer '" + GOOGLE + "' does not match issuer '" + GH + "'");
  }

  @Test
  void closestOfSeveralIdentitiesIsNamed() {
    BundleOutcome outcome =
        verify(
            "bundle.sigstore",
            artifact(),
            new CertificateIdentity(GH, null, "appu@google.com", null, Map.of()),
            new CertificateIdentity(GOOGLE, null, "someone@google.com", null, Map.of()));
    fails(outcome, "certificate identity 'appu@google.com' does not match subject");
  }

  @Test
  void secondIdentityMatching() {
    assertTrue(
        verify(
                "bundle.sigstore",
                artifact(),
                new CertificateIdentity(GH, null, "x", null, Map.of()),
                new CertificateIdentity(GOOGLE, null, "appu@google.com", null, Map.of()))
            .verified());
  }

  private static final CertificateIdentity APPU =
      new CertificateIdentity(GOOGLE, null, "appu@google.com", null, Map.of());

  /**
   * A certificate for nobody the policy trusts is refused before any signature is checked: the
   * mismatched-SET fixture (whose SET fails) is refused for its identity, not for its SET.
   */
  @Test
  void anUntrustedIdentityIsRefusedBeforeTheLogEvidenceIsChecked() {
    BundleOutcome outcome =
        verify(
            "bundle-with-mismatched-set.sigstore",
            artifact(),
            new CertificateIdentity(GH, null, "https://github.com/someone/else", null, Map.of()));
    fails(outcome, "does not match subject");
    CertificateIdentity beacon =
        new CertificateIdentity(
            GH, null, null, Pattern.compile("extremely-dangerous-oidc-beacon"), Map.of());
    fails(verify("bundle-with-mismatched-set.sigstore", artifact(), beacon), "SET");
  }

  /** One log entry listed twice would cost its checks twice; it is refused. */
  @Test
  void aRepeatedLogEntryIsRefused() {
    ObjectNode json =
        (ObjectNode)
            StrictJson.readObject(InteropFixtures.bytes("sigstore/bundles/bundle.v3.sigstore"));
    com.fasterxml.jackson.databind.node.ArrayNode entries =
        (com.fasterxml.jackson.databind.node.ArrayNode)
            json.get("verificationMaterial").get("tlogEntries");
    entries.add(entries.get(0).deepCopy());
    SigstoreBundle twice = SigstoreBundle.parse(StrictJson.write(json));
    BundleOutcome outcome =
        new BundleVerifier(LogFixtures.root(LogFixtures.PUBLIC_GOOD))
            .verify(twice, artifact(), VerificationRequirements.keyless(List.of(APPU)));
    fails(outcome, "more than once");
    assertTrue(verify("bundle.v3.sigstore", artifact(), APPU).verified());
  }

  @Test
  void digestOnlyArtifactVerifies() {
    Digest d = Digest.sha256(InteropFixtures.bytes("sigstore/bundles/artifact.txt"));
    assertTrue(verify("bundle-no-digest.sigstore", Artifact.ofDigest(d), APPU).verified());
  }

  @Test
  void anotherArtifactIsDenied() {
    Artifact other = Artifact.ofContent("another".getBytes(StandardCharsets.UTF_8));
    fails(verify("bundle.sigstore", other, APPU), "is not the artifact's");
    fails(verify("bundle-no-digest.sigstore", other, APPU), "message signature does not verify");
    fails(verify("bundle.dsse.sigstore", other, actions(Map.of())), "do not include the artifact");
  }

  @Test
  void tamperedSignatureIsDenied() {
    ObjectNode json =
        (ObjectNode)
            StrictJson.readObject(InteropFixtures.bytes("sigstore/bundles/bundle.sigstore"));
    ObjectNode ms = (ObjectNode) json.get("messageSignature");
    byte[] sig = java.util.Base64.getDecoder().decode(ms.get("signature").asText());
    sig[sig.length - 3] ^= 1;
    ms.put("signature", java.util.Base64.getEncoder().encodeToString(sig));
    SigstoreBundle tampered = SigstoreBundle.parse(StrictJson.write(json));
    BundleOutcome outcome =
        new BundleVerifier(LogFixtures.root(LogFixtures.PUBLIC_GOOD))
            .verify(tampered, artifact(), VerificationRequirements.keyless(List.of(APPU)));
    fails(outcome, "message signature does not verify");
  }

  @Test
  void withoutItsLogEntryIsDenied() {
    SigstoreBundle b = LogFixtures.bundle("bundle.v3.sigstore");
    SigstoreBundle stripped =
        new SigstoreBundle(
            b.mediaType(),
            b.certificates(),
            b.publicKeyHint(),
            List.of(),
            List.of(),
            b.messageSignature(),
            b.dsseEnvelope());
    BundleVerifier verifier = new BundleVerifier(LogFixtures.root(LogFixtures.PUBLIC_GOOD));
    fails(
        verifier.verify(stripped, artifact(), VerificationRequirements.keyless(List.of(APPU))),
        "no transparency log entry");
    fails(
        verifier.verify(
            stripped, artifact(), new VerificationRequirements(List.of(APPU), List.of(), false)),
        "no verified signing time");
  }

  @Test
  void rekorV2EntryWithoutTimestampGivesNoSigningTime() {
    SigstoreBundle b = LogFixtures.bundle("bundle-with-rekor-v2-entry.sigstore");
    SigstoreBundle noTimestamp =
        new SigstoreBundle(
            b.mediaType(),
            b.certificates(),
            b.publicKeyHint(),
            b.tlogEntries(),
            List.of(),
            b.messageSignature(),
            b.dsseEnvelope());
    CertificateIdentity aaron =
        new CertificateIdentity(GOOGLE, null, "aaronlew@google.com", null, Map.of());
    BundleVerifier verifier = new BundleVerifier(LogFixtures.root(LogFixtures.STAGING));
    VerificationRequirements req = VerificationRequirements.keyless(List.of(aaron));
    assertTrue(verifier.verify(b, artifact(), req).verified());
    fails(verifier.verify(noTimestamp, artifact(), req), "no verified signing time");
  }

  @Test
  void aLogIndexNothingSignsIsNotReported() {
    // a Rekor v2 entry has no SET: its logIndex field is covered only where it is the proof's
    SigstoreBundle b = LogFixtures.bundle("bundle-with-rekor-v2-entry.sigstore");
    TlogEntry e = b.tlogEntries().get(0);
    TlogEntry forged =
        new TlogEntry(
            e.logIndex() + 1000,
            e.logId(),
            e.kind(),
            e.version(),
            e.integratedTime(),
            e.canonicalizedBody(),
            e.signedEntryTimestamp(),
            e.inclusionProof());
    SigstoreBundle relabelled =
        new SigstoreBundle(
            b.mediaType(),
            b.certificates(),
            b.publicKeyHint(),
            List.of(forged),
            b.rfc3161Timestamps(),
            b.messageSignature(),
            b.dsseEnvelope());
    BundleVerifier verifier = new BundleVerifier(LogFixtures.root(LogFixtures.STAGING));
    VerificationRequirements req =
        VerificationRequirements.keyless(
            List.of(new CertificateIdentity(GOOGLE, null, "aaronlew@google.com", null, Map.of())));

    BundleOutcome honest = verifier.verify(b, artifact(), req);
    assertTrue(honest.verified(), honest.failure());
    assertEquals(OptionalLong.of(e.inclusionProof().orElseThrow().logIndex()), honest.logIndex());
    BundleOutcome outcome = verifier.verify(relabelled, artifact(), req);
    assertTrue(outcome.verified(), outcome.failure());
    assertEquals(OptionalLong.empty(), outcome.logIndex());
  }

  @Test
  void rekorV2LogNotValidAtTheTimestampedTimeIsDenied() {
    ObjectNode root =
        (ObjectNode)
            StrictJson.readObject(
                InteropFixtures.bytes("sigstore/trustroot/" + LogFixtures.STAGING));
    for (JsonNode log : root.get("tlogs")) {
      ((ObjectNode) log.get("publicKey").get("validFor")).put("end", "2025-05-01T00:00:00Z");
    }
    BundleOutcome outcome =
        new BundleVerifier(TrustedRoot.parse(StrictJson.write(root)))
            .verify(
                LogFixtures.bundle("bundle-with-rekor-v2-entry.sigstore"),
                artifact(),
                VerificationRequirements.keyless(
                    List.of(
                        new CertificateIdentity(
                            GOOGLE, null, "aaronlew@google.com", null, Map.of()))));
    fails(outcome, "was not valid at the timestamped time");
  }

  @Test
  void caNotValidAtTheLoggedTimeIsDenied() {
    // the public-good root with every Fulcio CA's window closed before the bundle was logged
    // (2023-10)
    ObjectNode root =
        (ObjectNode)
            StrictJson.readObject(
                InteropFixtures.bytes("sigstore/trustroot/" + LogFixtures.PUBLIC_GOOD));
    for (JsonNode ca : root.get("certificateAuthorities")) {
      ((ObjectNode) ca.get("validFor")).put("end", "2023-01-01T00:00:00Z");
    }
    BundleOutcome outcome =
        new BundleVerifier(TrustedRoot.parse(StrictJson.write(root)))
            .verify(
                LogFixtures.bundle("bundle.v3.sigstore"),
                artifact(),
                VerificationRequirements.keyless(List.of(APPU)));
    fails(outcome, "was not valid at the signing time 2023-10-11T14:28:04Z");
  }

  /** The public-good root with one of its lists emptied: the check that needs it must fail. */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource({
    "certificateAuthorities, no usable certificate authority",
    "ctlogs, SCT",
    "tlogs, not in the trusted root"
  })
  void rootWithoutWhatTheBundleNeedsIsDenied(String list, String fragment) {
    ObjectNode root =
        (ObjectNode)
            StrictJson.readObject(
                InteropFixtures.bytes("sigstore/trustroot/" + LogFixtures.PUBLIC_GOOD));
    root.putArray(list);
    fails(
        new BundleVerifier(TrustedRoot.parse(StrictJson.write(root)))
            .verify(
                LogFixtures.bundle("bundle.v3.sigstore"),
                artifact(),
                VerificationRequirements.keyless(List.of(APPU))),
        fragment);
  }
}
