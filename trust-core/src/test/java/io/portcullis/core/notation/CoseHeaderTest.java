package io.portcullis.core.notation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.core.oci.Digest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Counterexamples found by {@link CborProperties}, kept as plain tests. */
class CoseHeaderTest {

  /** A COSE_Sign1 whose protected header carries {@code signingTime} = {@code time}. */
  static byte[] envelopeWithSigningTime(Object time) {
    Map<Object, Object> header = new LinkedHashMap<>();
    header.put(1L, -7L); // ES256
    header.put(2L, List.of(SignedAttributes.SIGNING_SCHEME));
    header.put(3L, SignedAttributes.PAYLOAD_CONTENT_TYPE);
    header.put(SignedAttributes.SIGNING_SCHEME, SigningScheme.X509.value());
    header.put(SignedAttributes.SIGNING_TIME, time);
    byte[] protectedBytes = CborWriter.encode(header);
    return CborWriter.encode(
        new CborWriter.Tag(
            18, List.of(protectedBytes, Map.of(), new byte[] {'{', '}'}, new byte[] {1})));
  }

  @ParameterizedTest
  @ValueSource(longs = {Long.MAX_VALUE, 31556889864403200L, Long.MIN_VALUE, -31557014167219201L})
  void anEpochTimeBeyondInstantIsAMalformedEnvelope(long seconds) {
    // was DateTimeException from Instant.ofEpochSecond: the verifier then reported "could not
    // verify" (a verifier error) where the envelope is simply malformed
    byte[] envelope = envelopeWithSigningTime(new CborWriter.Tag(1, seconds));
    EnvelopeException e =
        assertThrows(EnvelopeException.class, () -> EnvelopeFormat.COSE.parse(envelope));
    assertEquals(
        "COSE header " + SignedAttributes.SIGNING_TIME + " is out of range", e.getMessage());
    var outcome =
        new NotationVerifier(List.of(), List.of(), Clock.systemUTC())
            .verify(envelope, EnvelopeFormat.COSE.mediaType(), Digest.sha256(new byte[0]));
    assertEquals(
        VerificationOutcome.Result.FAILED,
        outcome.result(VerificationOutcome.Check.INTEGRITY).orElseThrow().result());
  }

  @Test
  void anEpochTimeWithinRangeStillParsesUpToTheMissingChain() {
    byte[] envelope = envelopeWithSigningTime(new CborWriter.Tag(1, 1_700_000_000L));
    EnvelopeException e =
        assertThrows(EnvelopeException.class, () -> EnvelopeFormat.COSE.parse(envelope));
    assertEquals("COSE envelope lacks the x5chain certificate chain (label 33)", e.getMessage());
  }
}
