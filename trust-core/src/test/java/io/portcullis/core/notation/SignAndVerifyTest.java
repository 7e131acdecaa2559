package io.portcullis.core.notation;

import static io.portcullis.core.notation.VerificationOutcome.Check.AUTHENTICITY;
import static io.portcullis.core.notation.VerificationOutcome.Check.AUTHENTIC_TIMESTAMP;
import static io.portcullis.core.notation.VerificationOutcome.Check.EXPIRY;
import static io.portcullis.core.notation.VerificationOutcome.Check.INTEGRITY;
import static io.portcullis.core.notation.VerificationOutcome.Check.TARGET_DIGEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.notation.VerificationOutcome.Check;
import io.portcullis.core.notation.VerificationOutcome.Result;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.DevPki;
import io.portcullis.core.x509.TrustStore;
import io.portcullis.core.x509.TrustStoreType;
import io.portcullis.core.x509.TrustedIdentity;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sign with the development PKI, then verify; each defect fails under the check that owns it. */
class SignAndVerifyTest {
  private static final DevPki PKI = DevPki.generate();
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  private static final Descriptor TARGET =
      Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(MANIFEST), MANIFEST.length);
  private static final TrustStore DEV_ROOT =
      new TrustStore(TrustStoreType.CA, "dev", List.of(PKI.root()));

  private static byte[] sign(DevPki pki, Instant at, Instant expiry) {
    return NotationSigner.create(pki.signerKey(), pki.signingChain()).sign(TARGET, at, expiry);
  }

  private static VerificationOutcome verify(
      byte[] envelope, TrustStore store, TrustedIdentity identity, Instant now) {
    return new NotationVerifier(List.of(store), List.of(identity), Clock.fixed(now, ZoneOffset.UTC))
        .verify(envelope, EnvelopeFormat.JWS.mediaType(), TARGET.parsedDigest());
  }

  private static Result result(VerificationOutcome outcome, Check check) {
    return outcome.result(check).orElseThrow().result();
  }

  @Test
  void roundTripVerifies() {
    byte[] envelope = sign(PKI, Instant.now(), null);
    VerificationOutcome outcome =
        verify(
            envelope,
            DEV_ROOT,
            TrustedIdentity.parse("x509.subject: C=US, ST=WA, O=Portcullis Dev"),
            Instant.now());
    assertTrue(outcome.verified(), outcome.toString());
    assertEquals(TARGET.digest(), outcome.target().digest());
    assertEquals(PKI.signer(), outcome.signingCertificate());
    NotationEnvelope parsed = EnvelopeFormat.JWS.parse(envelope);
    assertEquals(SignatureAlgorithm.ES256, parsed.attributes().algorithm());
    assertEquals(SigningScheme.X509, parsed.attributes().signingScheme());
    assertEquals(NotationSigner.SIGNING_AGENT, parsed.signingAgent());
    assertEquals(3, parsed.certificateChain().size());
  }

  @Test
  void wrongRootFailsAuthenticity() {
    TrustStore other =
        new TrustStore(TrustStoreType.CA, "other", List.of(DevPki.generate().root()));
    VerificationOutcome outcome =
        verify(sign(PKI, Instant.now(), null), other, TrustedIdentity.any(), Instant.now());
    assertEquals(Result.PASSED, result(outcome, INTEGRITY));
    assertEquals(Result.FAILED, result(outcome, AUTHENTICITY));
    assertFalse(outcome.verified());
  }

  @Test
  void wrongIdentityFailsAuthenticity() {
    VerificationOutcome outcome =
        verify(
            sign(PKI, Instant.now(), null),
            DEV_ROOT,
            TrustedIdentity.parse("x509.subject: C=US, ST=WA, O=Someone Else"),
            Instant.now());
    assertEquals(Result.FAILED, result(outcome, AUTHENTICITY));
    assertTrue(outcome.result(AUTHENTICITY).orElseThrow().reason().contains("trusted identity"));
  }

  @Test
  void expiredLeafWithoutTimestampFailsAuthenticTimestamp() {
    Instant notBefore = Instant.now().minus(Duration.ofDays(30));
    DevPki expired = DevPki.generate(notBefore, Duration.ofDays(1), DevPki.SIGNER_SUBJECT);
    byte[] envelope = sign(expired, notBefore.plus(Duration.ofHours(1)), null);
    TrustStore root = new TrustStore(TrustStoreType.CA, "expired", List.of(expired.root()));
    VerificationOutcome outcome = verify(envelope, root, TrustedIdentity.any(), Instant.now());
    assertEquals(Result.PASSED, result(outcome, INTEGRITY));
    assertEquals(Result.PASSED, result(outcome, AUTHENTICITY));
    assertEquals(Result.FAILED, result(outcome, AUTHENTIC_TIMESTAMP));
    assertFalse(outcome.verified());
  }

  @Test
  void signerRefusesAnExpiredLeaf() {
    DevPki expired =
        DevPki.generate(
            Instant.now().minus(Duration.ofDays(30)), Duration.ofDays(1), DevPki.SIGNER_SUBJECT);
    assertThrows(CertificateChainException.class, () -> sign(expired, Instant.now(), null));
  }

  @Test
  void tamperedPayloadFailsIntegrity() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode envelope = (ObjectNode) mapper.readTree(sign(PKI, Instant.now(), null));
    String forged =
        "{\"targetArtifact\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"digest\":\""
            + Digest.sha256(new byte[] {1})
            + "\",\"size\":1}}";
    envelope.put(
        "payload",
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(forged.getBytes(StandardCharsets.UTF_8)));
    VerificationOutcome outcome =
        verify(mapper.writeValueAsBytes(envelope), DEV_ROOT, TrustedIdentity.any(), Instant.now());
    assertEquals(Result.FAILED, result(outcome, INTEGRITY));
    assertTrue(outcome.result(INTEGRITY).orElseThrow().reason().contains("does not verify"));
    assertEquals(Result.SKIPPED, result(outcome, TARGET_DIGEST));
  }

  @Test
  void expiryInThePastFailsExpiry() {
    Instant now = Instant.now();
    byte[] envelope = sign(PKI, now, now.plus(Duration.ofHours(1)));
    VerificationOutcome outcome =
        verify(envelope, DEV_ROOT, TrustedIdentity.any(), now.plus(Duration.ofHours(2)));
    assertEquals(Result.FAILED, result(outcome, EXPIRY));
    assertEquals(Result.PASSED, result(outcome, AUTHENTICITY));
    assertTrue(verify(envelope, DEV_ROOT, TrustedIdentity.any(), now).verified());
  }

  @Test
  void otherArtifactFailsTargetDigest() {
    VerificationOutcome outcome =
        new NotationVerifier(List.of(DEV_ROOT), List.of(TrustedIdentity.any()), Clock.systemUTC())
            .verify(
                sign(PKI, Instant.now(), null),
                EnvelopeFormat.JWS.mediaType(),
                Digest.sha256(new byte[] {42}));
    assertEquals(Result.FAILED, result(outcome, TARGET_DIGEST));
  }

  @Test
  void keyNotMatchingTheCertificateIsRefused() {
    DevPki other = DevPki.generate();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            NotationSigner.create(other.signerKey(), PKI.signingChain())
                .sign(TARGET, Instant.now(), null));
  }

  @Test
  void algorithmFollowsTheKey() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    var pair = rsa.generateKeyPair();
    assertEquals(SignatureAlgorithm.PS256, SignatureAlgorithm.forKey(pair.getPublic()));
    byte[] data = "input".getBytes(StandardCharsets.UTF_8);
    byte[] sig = SignatureAlgorithm.PS256.sign(pair.getPrivate(), data);
    assertTrue(SignatureAlgorithm.PS256.verify(pair.getPublic(), data, sig));
    // a PS256 signature must not pass as PS384 (salt and hash differ)
    assertFalse(SignatureAlgorithm.PS384.verify(pair.getPublic(), data, sig));
    assertEquals(SignatureAlgorithm.ES256, SignatureAlgorithm.forKey(PKI.signer().getPublicKey()));
    rsa.initialize(1024);
    assertThrows(
        IllegalArgumentException.class,
        () -> SignatureAlgorithm.forKey(rsa.generateKeyPair().getPublic()));
  }

  @Test
  void signatureManifestRoundTrips() {
    byte[] envelope = sign(PKI, Instant.now(), null);
    SignatureManifest built =
        SignatureManifest.create(TARGET, EnvelopeFormat.JWS, envelope, PKI.signingChain());
    SignatureManifest parsed = SignatureManifest.parse(built.bytes());
    assertEquals(built.digest(), parsed.digest());
    assertEquals(SignatureManifest.ARTIFACT_TYPE, parsed.manifest().artifactType());
    assertEquals(MediaTypes.OCI_EMPTY, parsed.manifest().config().mediaType());
    assertEquals(
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        parsed.manifest().config().digest());
    assertEquals(Digest.sha256(envelope).toString(), parsed.envelope().digest());
    assertEquals(EnvelopeFormat.JWS, parsed.envelopeFormat());
    assertEquals(TARGET.digest(), parsed.subject().digest());
    assertEquals(3, parsed.thumbprints().size());
    assertEquals(SignatureManifest.thumbprint(PKI.signer()), parsed.thumbprints().get(0));
    assertTrue(parsed.mentionsAny(List.of(PKI.root())));
    assertFalse(parsed.mentionsAny(List.of(DevPki.generate().root())));
  }

  @Test
  void signatureManifestWithoutThumbprintsIsRefused() {
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"artifactType\":\"application/vnd.cncf.notary.signature\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":"
            + "\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
            + "\"layers\":[{\"mediaType\":\"application/jose+json\",\"digest\":\""
            + TARGET.digest()
            + "\",\"size\":1}],\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"digest\":\""
            + TARGET.digest()
            + "\",\"size\":1}}";
    EnvelopeException e =
        assertThrows(
            EnvelopeException.class,
            () -> SignatureManifest.parse(manifest.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("thumbprint"), e.getMessage());
  }
}
