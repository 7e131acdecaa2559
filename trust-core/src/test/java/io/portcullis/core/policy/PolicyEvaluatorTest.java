package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.cosign.CosignSigner;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.notation.NotationSigner;
import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.x509.DevPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator over real signatures made here with trust-core's own signers: cosign key signatures
 * and Notary Project signatures from a development PKI. Every defect must deny, with a message that
 * names the policy and the failed requirement.
 */
class PolicyEvaluatorTest {
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final Descriptor IMAGE =
      Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(MANIFEST), MANIFEST.length);
  private static final Digest DIGEST = IMAGE.parsedDigest();
  private static final Instant NOW = Instant.now();
  private static final String IDENTITY =
      "x509.subject: C=US, ST=WA, O=Portcullis Dev, CN=Portcullis Dev Signer";

  @TempDir static Path dir;
  static PolicyFiles files;
  static KeyPair release;
  static KeyPair ci;
  static KeyPair stranger;
  static DevPki pki;
  static DevPki otherPki;

  @BeforeAll
  static void keys() {
    files = new PolicyFiles(dir);
    release = files.key("release.pub");
    ci = files.key("ci.pub");
    stranger = files.key("stranger.pub");
    pki = files.pki("root.crt");
    otherPki = DevPki.generate();
  }

  private static final String STORES =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [release.pub]}
        ci-key: {type: cosign, keys: [ci.pub]}
        release-ca: {type: x509, certificates: [root.crt]}
      policies:
        - name: prod
          scopes: ['**']
      """;

  private static final String NOTATION_REQ =
      "{type: notation, trustStore: release-ca, identities: ['" + IDENTITY + "']}";

  private static PolicyDecision decide(String body, Evidence evidence) {
    return decide(body, evidence, NOW);
  }

  private static PolicyDecision decide(String body, Evidence evidence, Instant at) {
    TrustPolicy trust = files.parse(STORES + body.indent(4));
    return new PolicyEvaluator(trust, Clock.fixed(at, ZoneOffset.UTC))
        .evaluate(trust.policies().get(0), evidence);
  }

  private static String anyOf(String... requirements) {
    return "signatures:\n  anyOf:\n" + lines(requirements);
  }

  private static String allOf(String... requirements) {
    return "signatures:\n  allOf:\n" + lines(requirements);
  }

  private static String lines(String... requirements) {
    StringBuilder out = new StringBuilder();
    for (String r : requirements) {
      out.append("    - ").append(r).append('\n');
    }
    return out.toString();
  }

  private static String cosign(String store) {
    return "{type: cosign, trustStore: " + store + "}";
  }

  static AttachmentLayer cosignLayer(KeyPair key, Digest image) {
    return new CosignSigner(Signers.forPrivateKey(key.getPrivate()))
        .sign("registry.example/app", image, Map.of());
  }

  static CosignSignatures cosignSignatures(AttachmentLayer... layers) {
    AttachmentManifest manifest = AttachmentManifest.create(List.of(layers), NOW);
    Map<Digest, byte[]> blobs = new HashMap<>();
    for (AttachmentLayer layer : layers) {
      blobs.put(layer.descriptor().parsedDigest(), layer.content());
    }
    return new CosignSignatures(manifest.parsed(), blobs);
  }

  static NotationSignature notation(DevPki signer, Instant signedAt, Instant expiry) {
    NotationSigner notary = NotationSigner.create(signer.signerKey(), signer.signingChain());
    byte[] envelope = notary.sign(IMAGE, signedAt, expiry);
    SignatureManifest manifest =
        SignatureManifest.create(IMAGE, EnvelopeFormat.JWS, envelope, notary.certificateChain());
    return new NotationSignature(manifest.bytes(), EnvelopeFormat.JWS.mediaType(), envelope);
  }

  private static Evidence evidence(
      List<CosignSignatures> cosign, List<NotationSignature> notation) {
    return new Evidence("team/app", DIGEST, cosign, notation);
  }

  private static Evidence cosignOnly(KeyPair... signers) {
    AttachmentLayer[] layers = new AttachmentLayer[signers.length];
    for (int i = 0; i < signers.length; i++) {
      layers[i] = cosignLayer(signers[i], DIGEST);
    }
    return evidence(List.of(cosignSignatures(layers)), List.of());
  }

  private static Outcome outcome(PolicyDecision decision, String check) {
    return decision.checks().stream()
        .filter(c -> c.check().equals(check))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no check " + check + " in " + decision))
        .outcome();
  }

  @Test
  void anyOfIsSatisfiedByATrustedCosignKeyAndSkipsTheRest() {
    PolicyDecision d = decide(anyOf(cosign("release-keys"), NOTATION_REQ), cosignOnly(release));
    assertTrue(d.satisfied() && d.allowed(), d.toString());
    assertEquals(Outcome.PASSED, outcome(d, "signatures.anyOf[0] cosign release-keys"));
    assertEquals(Outcome.SKIPPED, outcome(d, "signatures.anyOf[1] notation release-ca"));
    String keyId = TrustedKey.of(release.getPublic(), dir).shortId();
    assertEquals(List.of("cosign key " + keyId + " (release-keys)"), d.signers());
    assertTrue(d.message().startsWith("allowed by policy 'prod': anyOf satisfied by"), d.message());
  }

  @Test
  void wrongKeyIsDeniedWithAMessageThatSaysWhatWouldSatisfy() {
    PolicyDecision d = decide(anyOf(cosign("release-keys"), NOTATION_REQ), cosignOnly(stranger));
    assertFalse(d.satisfied() || d.allowed(), d.toString());
    assertEquals(
        "denied by policy 'prod': no signature satisfies anyOf [cosign release-keys: signature"
            + " does not verify with any trusted key; notation release-ca: no Notary signature"
            + " found] — sign the image with a key in 'release-keys' (cosign) or a certificate"
            + " chaining to 'release-ca' with identity x509.subject: C=US, CN=Portcullis Dev"
            + " Signer, O=Portcullis Dev, ST=WA (notation)",
        normaliseIdentity(d.message()));
    assertTrue(d.signers().isEmpty());
    assertFalse(d.message().contains("BEGIN"), "no key material");
  }

  /** TrustedIdentity prints its attributes in map order; compare them sorted. */
  private static String normaliseIdentity(String message) {
    int at = message.indexOf("x509.subject: ");
    int end = message.indexOf(" (notation)", at);
    String[] rdns = message.substring(at + 14, end).split(", ");
    java.util.Arrays.sort(rdns);
    return message.substring(0, at + 14) + String.join(", ", rdns) + message.substring(end);
  }

  @Test
  void aReSignedImageWithManyOldSignaturesIsJudgedOnItsNewestOnes() {
    // 69 signatures by a key no longer trusted, then the release key's (a rotation): the
    // evidence holds what the gateway fetches, the newest 32 within SignatureBudget
    AttachmentLayer[] layers = new AttachmentLayer[70];
    for (int i = 0; i < 69; i++) {
      layers[i] = cosignLayer(stranger, DIGEST);
    }
    layers[69] = cosignLayer(release, DIGEST);
    AttachmentManifest manifest = AttachmentManifest.create(List.of(layers), NOW);
    Map<Digest, byte[]> fetched = new HashMap<>();
    for (Descriptor d : SignatureBudget.cosign(manifest.parsed()).layers()) {
      for (AttachmentLayer l : layers) {
        if (l.descriptor().parsedDigest().equals(d.parsedDigest())) {
          fetched.put(d.parsedDigest(), l.content());
        }
      }
    }
    CosignSignatures sigs = new CosignSignatures(manifest.parsed(), fetched);
    PolicyDecision d = decide(anyOf(cosign("release-keys")), evidence(List.of(sigs), List.of()));
    assertTrue(d.allowed(), d.message());
  }

  @Test
  void tamperedPayloadFailsTheLayerDigestCheck() {
    AttachmentLayer good = cosignLayer(release, DIGEST);
    byte[] tampered = good.content();
    tampered[tampered.length - 2] ^= 1;
    CosignSignatures sigs =
        new CosignSignatures(
            AttachmentManifest.create(List.of(good), NOW).parsed(),
            Map.of(good.descriptor().parsedDigest(), tampered));
    PolicyDecision d = decide(anyOf(cosign("release-keys")), evidence(List.of(sigs), List.of()));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("cosign release-keys: layer content hashes to"), d.message());
  }

  @Test
  void signatureOverAnotherImageIsDenied() {
    Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
    CosignSignatures sigs = cosignSignatures(cosignLayer(release, other));
    PolicyDecision d = decide(anyOf(cosign("release-keys")), evidence(List.of(sigs), List.of()));
    assertFalse(d.allowed());
    assertTrue(
        d.message().contains("payload signs " + other + " but image is " + DIGEST), d.message());
  }

  @Test
  void ciCosignKeyAndReleaseNotationCertificateAreBothRequiredByAllOf() {
    String body = allOf(cosign("ci-key"), NOTATION_REQ);
    NotationSignature releaseSig = notation(pki, NOW.minusSeconds(60), null);
    CosignSignatures ciSig = cosignSignatures(cosignLayer(ci, DIGEST));

    PolicyDecision both = decide(body, evidence(List.of(ciSig), List.of(releaseSig)));
    assertTrue(both.satisfied() && both.allowed(), both.toString());
    assertEquals(2, both.signers().size(), both.signers().toString());
    assertTrue(
        both.signers()
            .get(1)
            .startsWith("x509 'C=US,ST=WA,O=Portcullis Dev,CN=Portcullis Dev Signer'"),
        both.signers().toString());

    PolicyDecision onlyCi = decide(body, evidence(List.of(ciSig), List.of()));
    assertFalse(onlyCi.allowed());
    assertEquals(Outcome.PASSED, outcome(onlyCi, "signatures.allOf[0] cosign ci-key"));
    assertEquals(Outcome.FAILED, outcome(onlyCi, "signatures.allOf[1] notation release-ca"));
    assertTrue(
        onlyCi
            .message()
            .startsWith(
                "denied by policy 'prod': signatures do not satisfy allOf [notation release-ca: no"
                    + " Notary signature found] — sign the image with a certificate chaining to"
                    + " 'release-ca'"),
        onlyCi.message());

    PolicyDecision releaseKeyInsteadOfCi =
        decide(
            body,
            evidence(List.of(cosignSignatures(cosignLayer(release, DIGEST))), List.of(releaseSig)));
    assertFalse(releaseKeyInsteadOfCi.allowed(), "a release key is not the CI key");
  }

  @Test
  void thresholdCountsDistinctRequirements() {
    String body =
        "signatures:\n  threshold:\n    n: 2\n    of:\n"
            + lines(cosign("ci-key"), cosign("release-keys"), NOTATION_REQ);
    PolicyDecision two = decide(body, cosignOnly(ci, release));
    assertTrue(two.allowed(), two.toString());
    assertEquals(Outcome.SKIPPED, outcome(two, "signatures.threshold.of[2] notation release-ca"));

    PolicyDecision one = decide(body, cosignOnly(ci, stranger));
    assertFalse(one.allowed());
    assertTrue(
        one.message()
            .startsWith("denied by policy 'prod': only 1 of the 2 signatures threshold requires"),
        one.message());
    assertTrue(one.message().contains("sign the image with 1 more of:"), one.message());
  }

  @Test
  void untrustedRootFailsAuthenticity() {
    PolicyDecision d =
        decide(anyOf(NOTATION_REQ), evidence(List.of(), List.of(notation(otherPki, NOW, null))));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("notation release-ca: authenticity: "), d.message());
  }

  @Test
  void wrongIdentityFailsAuthenticity() {
    String other =
        "{type: notation, trustStore: release-ca, identities: ['x509.subject: C=US, ST=WA,"
            + " O=Portcullis Dev, CN=Someone Else']}";
    PolicyDecision d = decide(anyOf(other), evidence(List.of(), List.of(notation(pki, NOW, null))));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("matches no trusted identity"), d.message());
  }

  @Test
  void expiredNotationSignatureIsDeniedWhenExpiryIsEnforcedAndLoggedWhenLogged() {
    Evidence expired =
        evidence(List.of(), List.of(notation(pki, NOW.minusSeconds(3600), NOW.minusSeconds(1800))));
    PolicyDecision enforced =
        decide(anyOf(NOTATION_REQ) + "verification: {expiry: enforce}", expired);
    assertFalse(enforced.allowed());
    assertTrue(
        enforced.message().contains("notation release-ca: expiry: signature expired at"),
        enforced.message());

    PolicyDecision logged = decide(anyOf(NOTATION_REQ) + "verification: {expiry: log}", expired);
    assertTrue(logged.satisfied() && logged.allowed(), logged.toString());
    assertEquals(Outcome.LOGGED, outcome(logged, "signatures.anyOf[0] notation release-ca expiry"));
    assertTrue(logged.message().contains("logged: "), logged.message());

    PolicyDecision skipped = decide(anyOf(NOTATION_REQ) + "verification: {expiry: skip}", expired);
    assertTrue(skipped.allowed());
    assertTrue(skipped.checks().stream().noneMatch(c -> c.outcome() == Outcome.LOGGED));
  }

  @Test
  void auditModeAllowsWithoutBeingSatisfied() {
    PolicyDecision d =
        decide("mode: audit\n" + anyOf(cosign("release-keys")), cosignOnly(stranger));
    assertFalse(d.satisfied());
    assertTrue(d.allowed());
    assertEquals(Mode.AUDIT, d.mode());
    assertTrue(
        d.message().startsWith("allowed by policy 'prod' in audit mode, though not satisfied:"),
        d.message());
    assertEquals(1, d.failures().size());
  }

  @Test
  void offModeVerifiesNothing() {
    PolicyDecision d = decide("mode: off\n" + anyOf(cosign("release-keys")), cosignOnly(stranger));
    assertTrue(d.allowed());
    assertFalse(d.satisfied());
    assertEquals(
        List.of(new CheckResult("signatures", Outcome.SKIPPED, "policy is off")), d.checks());
  }

  @Test
  void noSignatureSectionRequiresNoSignature() {
    PolicyDecision d = decide("", evidence(List.of(), List.of()));
    assertTrue(d.satisfied() && d.allowed());
  }

  @Test
  void missingLayerBlobFailsClosed() {
    AttachmentLayer layer = cosignLayer(release, DIGEST);
    CosignSignatures sigs =
        new CosignSignatures(AttachmentManifest.create(List.of(layer), NOW).parsed(), Map.of());
    PolicyDecision d = decide(anyOf(cosign("release-keys")), evidence(List.of(sigs), List.of()));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("was not fetched"), d.message());
  }

  @Test
  void notationSignatureForAnotherImageIsRefused() {
    NotationSignature sig = notation(pki, NOW, null);
    Evidence other =
        new Evidence(
            "team/app",
            Digest.sha256("x".getBytes(StandardCharsets.UTF_8)),
            List.of(),
            List.of(sig));
    PolicyDecision d = decide(anyOf(NOTATION_REQ), other);
    assertFalse(d.allowed());
    assertTrue(d.message().contains("is for " + DIGEST), d.message());
  }

  @Test
  void oneEvaluatorServesConcurrentCallers() {
    TrustPolicy trust = files.parse(STORES + allOf(cosign("ci-key"), NOTATION_REQ).indent(4));
    PolicyEvaluator evaluator = new PolicyEvaluator(trust, Clock.systemUTC());
    Policy policy = trust.policies().get(0);
    Evidence good =
        evidence(
            List.of(cosignSignatures(cosignLayer(ci, DIGEST))),
            List.of(notation(pki, NOW.minusSeconds(60), null)));
    Evidence bad = cosignOnly(ci);
    long wrong =
        IntStream.range(0, 64)
            .parallel()
            .filter(
                i -> evaluator.evaluate(policy, i % 2 == 0 ? good : bad).allowed() != (i % 2 == 0))
            .count();
    assertEquals(0, wrong);
  }
}
