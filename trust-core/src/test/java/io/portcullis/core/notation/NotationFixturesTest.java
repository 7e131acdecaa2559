package io.portcullis.core.notation;

import static io.portcullis.core.notation.VerificationOutcome.Check.AUTHENTICITY;
import static io.portcullis.core.notation.VerificationOutcome.Check.AUTHENTIC_TIMESTAMP;
import static io.portcullis.core.notation.VerificationOutcome.Check.EXPIRY;
import static io.portcullis.core.notation.VerificationOutcome.Check.INTEGRITY;
import static io.portcullis.core.notation.VerificationOutcome.Check.TARGET_DIGEST;
import static io.portcullis.core.notation.VerificationOutcome.Result.FAILED;
import static io.portcullis.core.notation.VerificationOutcome.Result.PASSED;
import static io.portcullis.core.notation.VerificationOutcome.Result.SKIPPED;
import static io.portcullis.core.notation.VerificationOutcome.Result.UNVERIFIABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.notation.VerificationOutcome.Check;
import io.portcullis.core.notation.VerificationOutcome.Result;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.x509.TrustStore;
import io.portcullis.core.x509.TrustStoreType;
import io.portcullis.core.x509.TrustedIdentity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each Notation fixture in {@code shared/interop/notation} gives the result its README states. */
class NotationFixturesTest {
  private static final String JWS = "application/jose+json";
  private static final String COSE = "application/cose";
  private static final Digest NOTATION_TARGET =
      Digest.parse("sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e");
  private static final Digest TIMESTAMP_TARGET =
      Digest.parse("sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda");

  private static TrustStore caRoot() {
    return InteropFixtures.store(
        TrustStoreType.CA, "notation-test", "truststore/ca/NotationTestRoot.pem");
  }

  private static TrustStore saRoot() {
    return InteropFixtures.store(
        TrustStoreType.SIGNING_AUTHORITY,
        "notation-test",
        "truststore/signingAuthority/NotationTestRoot.pem");
  }

  private static TrustStore tsaRoot() {
    return InteropFixtures.store(
        TrustStoreType.TSA, "globalsign", "truststore/tsa/globalsignRoot.cer");
  }

  private static TrustStore timestampLeaf() {
    return InteropFixtures.store(
        TrustStoreType.CA, "timestamp-test", "truststore/ca/TestTimestamp.crt");
  }

  private static VerificationOutcome verify(
      String fixture, String mediaType, Digest target, TrustStore... stores) {
    NotationVerifier verifier =
        new NotationVerifier(List.of(stores), List.of(TrustedIdentity.any()), Clock.systemUTC());
    return verifier.verify(InteropFixtures.read(fixture), mediaType, target);
  }

  private static void assertResult(VerificationOutcome outcome, Check check, Result expected) {
    assertEquals(expected, outcome.result(check).orElseThrow().result(), outcome.toString());
  }

  /** A trust store made of the envelope's own (self-signed) signing certificate. */
  private static TrustStore ownLeaf(String fixture, EnvelopeFormat format) {
    return new TrustStore(
        TrustStoreType.CA,
        "own-leaf",
        List.of(format.parse(InteropFixtures.read(fixture)).signingCertificate()));
  }

  @Test
  void caValidVerifiesAgainstNotationTestRootAndTargetsItsManifest() {
    VerificationOutcome outcome =
        verify("envelopes/ca_valid_sig_env.json", JWS, NOTATION_TARGET, caRoot());
    assertTrue(outcome.verified(), outcome.toString());
    assertEquals(NOTATION_TARGET.toString(), outcome.target().digest());
    assertEquals(528, outcome.target().size());
    assertEquals(5, outcome.checks().size());
  }

  @Test
  void caValidWithOnlyASigningAuthorityStoreFailsAuthenticity() {
    VerificationOutcome outcome =
        verify("envelopes/ca_valid_sig_env.json", JWS, NOTATION_TARGET, saRoot());
    assertResult(outcome, INTEGRITY, PASSED);
    assertResult(outcome, AUTHENTICITY, FAILED);
    assertFalse(outcome.verified());
  }

  @Test
  void saValidVerifiesAgainstSigningAuthorityStore() {
    VerificationOutcome outcome =
        verify("envelopes/sa_valid_sig_env.json", JWS, NOTATION_TARGET, saRoot());
    assertTrue(outcome.verified(), outcome.toString());
  }

  @ParameterizedTest
  @CsvSource({"envelopes/ca_invalid_sig_env.json", "envelopes/sa_invalid_sig_env.json"})
  void invalidSignaturesFailIntegrityAndSkipTheRest(String fixture) {
    VerificationOutcome outcome = verify(fixture, JWS, NOTATION_TARGET, caRoot(), saRoot());
    assertResult(outcome, INTEGRITY, FAILED);
    // notation-go made these by padding the payload, which changes the signed input; a strict
    // base64url reader already refuses the padding, as Go's RawURLEncoding does
    assertEquals(INTEGRITY, outcome.firstProblem().orElseThrow().check());
    assertResult(outcome, AUTHENTICITY, SKIPPED);
    assertFalse(outcome.verified());
  }

  @ParameterizedTest
  @CsvSource({"envelopes/ca_expired_sig_env.json", "envelopes/sa_expired_sig_env.json"})
  void expiredSignaturesFailOnlyTheExpiryCheck(String fixture) {
    VerificationOutcome outcome = verify(fixture, JWS, NOTATION_TARGET, caRoot(), saRoot());
    assertResult(outcome, INTEGRITY, PASSED);
    assertResult(outcome, AUTHENTICITY, PASSED);
    assertResult(outcome, EXPIRY, FAILED);
    assertTrue(outcome.result(EXPIRY).orElseThrow().reason().contains("2022-07-29T23:59:00Z"));
    assertFalse(outcome.verified());
  }

  @Test
  void pluginSignatureIsRefusedAsUnverifiable() {
    VerificationOutcome outcome =
        verify("envelopes/ca_plugin_sig_env.json", JWS, NOTATION_TARGET, caRoot());
    assertResult(outcome, INTEGRITY, UNVERIFIABLE);
    String reason = outcome.result(INTEGRITY).orElseThrow().reason();
    assertTrue(reason.contains("verification plugin 'plugin-name'"), reason);
    assertFalse(outcome.verified());
  }

  @Test
  void envelopeWithExpiredLeafAndNoTimestampFailsAuthenticTimestamp() {
    String fixture = "envelopes/sig_env_with_metadata.json";
    VerificationOutcome outcome =
        verify(
            fixture,
            JWS,
            Digest.parse("sha256:5a07385af4e6b6af81b0ebfd435aedccdfa3507f0609c658209e1aba57159b2b"),
            ownLeaf(fixture, EnvelopeFormat.JWS));
    assertResult(outcome, INTEGRITY, PASSED);
    // the leaf was valid at its (claimed) signing time, so it is authentic ...
    assertResult(outcome, AUTHENTICITY, PASSED);
    // ... but nothing vouches that the signature was made then
    assertResult(outcome, AUTHENTIC_TIMESTAMP, FAILED);
    assertTrue(
        outcome
            .result(AUTHENTIC_TIMESTAMP)
            .orElseThrow()
            .reason()
            .contains("no authentic timestamp"));
    assertEquals("123", outcome.target().annotations().get("io.wabbit-networks.buildId"));
  }

  @ParameterizedTest
  @CsvSource({
    "envelopes/jws_signature.sig, application/jose+json, JWS",
    "envelopes/cose_signature.sig, application/cose, COSE"
  })
  void jwsAndCoseSignaturesVerifyOverTheOciLayoutManifest(
      String fixture, String mediaType, EnvelopeFormat format) {
    byte[] manifest =
        InteropFixtures.read(
            "oci-layout/blobs/sha256/19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0");
    Digest manifestDigest = Digest.sha256(manifest);
    VerificationOutcome outcome =
        verify(fixture, mediaType, manifestDigest, ownLeaf(fixture, format));
    assertTrue(outcome.verified(), outcome.toString());
    assertEquals(481, outcome.target().size());
    assertEquals(manifest.length, outcome.target().size());
  }

  @Test
  void coseWithTamperedSignatureFailsIntegrity() {
    byte[] bytes = InteropFixtures.read("envelopes/cose_signature.sig");
    TrustStore own = ownLeaf("envelopes/cose_signature.sig", EnvelopeFormat.COSE);
    bytes[bytes.length - 1] ^= 1; // last byte of the signature
    VerificationOutcome outcome =
        new NotationVerifier(List.of(own), List.of(TrustedIdentity.any()), Clock.systemUTC())
            .verify(
                bytes,
                COSE,
                Digest.parse(
                    "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0"));
    assertResult(outcome, INTEGRITY, FAILED);
  }

  @Test
  void truncatedCoseIsMalformed() {
    byte[] bytes = InteropFixtures.read("envelopes/cose_signature.sig");
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);
    VerificationOutcome outcome =
        new NotationVerifier(List.of(caRoot()), List.of(TrustedIdentity.any()), Clock.systemUTC())
            .verify(truncated, COSE, NOTATION_TARGET);
    assertResult(outcome, INTEGRITY, FAILED);
    assertTrue(outcome.result(INTEGRITY).orElseThrow().reason().startsWith("malformed envelope"));
  }

  @ParameterizedTest
  @CsvSource({
    "timestamp/jwsWithTimestamp.sig, application/jose+json",
    "timestamp/coseWithTimestamp.sig, application/cose"
  })
  void timestampedSignaturesVerifyWithTheTsaRoot(String fixture, String mediaType) {
    VerificationOutcome outcome =
        verify(fixture, mediaType, TIMESTAMP_TARGET, timestampLeaf(), tsaRoot());
    assertTrue(outcome.verified(), outcome.toString());
    assertTrue(
        outcome
            .result(AUTHENTIC_TIMESTAMP)
            .orElseThrow()
            .reason()
            .contains("authentic signing time"));
  }

  @Test
  void timestampLetsAnExpiredLeafPass() {
    String fixture = "timestamp/jwsExpiredWithTimestamp.sig";
    VerificationOutcome outcome =
        verify(fixture, JWS, TIMESTAMP_TARGET, ownLeaf(fixture, EnvelopeFormat.JWS), tsaRoot());
    assertTrue(outcome.verified(), outcome.toString());
  }

  @Test
  void timestampWithoutTsaStoreFailsAuthenticTimestamp() {
    String fixture = "timestamp/jwsExpiredWithTimestamp.sig";
    VerificationOutcome outcome =
        verify(fixture, JWS, TIMESTAMP_TARGET, ownLeaf(fixture, EnvelopeFormat.JWS));
    assertResult(outcome, AUTHENTIC_TIMESTAMP, FAILED);
    assertTrue(
        outcome.result(AUTHENTIC_TIMESTAMP).orElseThrow().reason().contains("no tsa trust store"));
  }

  @Test
  void timestampFromAnUntrustedTsaFailsAuthenticTimestamp() {
    String fixture = "timestamp/jwsExpiredWithTimestamp.sig";
    TrustStore otherTsa =
        InteropFixtures.store(TrustStoreType.TSA, "other", "truststore/ca/GlobalSignRootCA.crt");
    VerificationOutcome outcome =
        verify(fixture, JWS, TIMESTAMP_TARGET, ownLeaf(fixture, EnvelopeFormat.JWS), otherTsa);
    assertResult(outcome, AUTHENTIC_TIMESTAMP, FAILED);
    assertTrue(
        outcome.result(AUTHENTIC_TIMESTAMP).orElseThrow().reason().contains("does not chain"));
  }

  @ParameterizedTest
  @CsvSource({
    "timestamp/timestampBeforeNotBefore.sig, application/jose+json, JWS",
    "timestamp/timestampAfterNotAfter.sig, application/cose, COSE"
  })
  void timestampOutsideTheLeafValidityFails(
      String fixture, String mediaType, EnvelopeFormat format) {
    VerificationOutcome outcome =
        verify(fixture, mediaType, TIMESTAMP_TARGET, ownLeaf(fixture, format), tsaRoot());
    assertResult(outcome, INTEGRITY, PASSED);
    assertResult(outcome, AUTHENTIC_TIMESTAMP, FAILED);
    assertTrue(
        outcome
            .result(AUTHENTIC_TIMESTAMP)
            .orElseThrow()
            .reason()
            .startsWith("at the authentic signing time"));
  }

  @Test
  void withoutTimestampVerifiesWhileTheLeafIsValid() {
    VerificationOutcome outcome =
        verify("timestamp/withoutTimestamp.sig", JWS, TIMESTAMP_TARGET, timestampLeaf(), tsaRoot());
    assertTrue(outcome.verified(), outcome.toString());
    assertTrue(
        outcome
            .result(AUTHENTIC_TIMESTAMP)
            .orElseThrow()
            .reason()
            .contains("no authentic timestamp"));
  }

  @Test
  void timestampOfAnotherSignatureIsRejected() throws Exception {
    // The timestamp is an unsigned attribute: moving it to another envelope keeps integrity intact,
    // so only the message imprint check can catch it.
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode donor =
        (ObjectNode) mapper.readTree(InteropFixtures.read("timestamp/jwsWithTimestamp.sig"));
    ObjectNode target =
        (ObjectNode) mapper.readTree(InteropFixtures.read("timestamp/withoutTimestamp.sig"));
    ((ObjectNode) target.get("header"))
        .set(
            "io.cncf.notary.timestampSignature",
            donor.get("header").get("io.cncf.notary.timestampSignature"));
    VerificationOutcome outcome =
        new NotationVerifier(
                List.of(timestampLeaf(), tsaRoot()),
                List.of(TrustedIdentity.any()),
                Clock.systemUTC())
            .verify(mapper.writeValueAsBytes(target), JWS, TIMESTAMP_TARGET);
    assertResult(outcome, INTEGRITY, PASSED);
    assertResult(outcome, AUTHENTIC_TIMESTAMP, FAILED);
    assertTrue(outcome.result(AUTHENTIC_TIMESTAMP).orElseThrow().reason().contains("imprint"));
  }

  @Test
  void wrongTargetDigestFailsTheTargetCheck() {
    VerificationOutcome outcome =
        verify(
            "envelopes/ca_valid_sig_env.json",
            JWS,
            Digest.sha256("something else".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            caRoot());
    assertResult(outcome, TARGET_DIGEST, FAILED);
    assertFalse(outcome.verified());
  }

  @Test
  void unknownMediaTypeFailsIntegrity() {
    VerificationOutcome outcome =
        verify("envelopes/ca_valid_sig_env.json", "text/plain", NOTATION_TARGET, caRoot());
    assertResult(outcome, INTEGRITY, FAILED);
    List<Result> rest = new ArrayList<>();
    outcome.checks().stream().skip(1).forEach(c -> rest.add(c.result()));
    assertTrue(rest.stream().allMatch(r -> r == SKIPPED));
  }
}
