package io.portcullis.core.dsse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.SignatureVerifier;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.keys.Verifiers;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DsseEnvelopeTest {
  private final KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
  private final List<SignatureVerifier> trusted = List.of(Verifiers.forPublicKey(pair.getPublic()));

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // the DSSE protocol's own example
        "http://example.com/HelloWorld|hello world|DSSEv1 29 http://example.com/HelloWorld 11 hello world",
        "application/vnd.in-toto+json||'DSSEv1 28 application/vnd.in-toto+json 0 '", // quoted:
        // keeps the
        // space
        // lengths count UTF-8 bytes, not characters
        "t/\u00e9|\u20ac|DSSEv1 4 t/\u00e9 3 \u20ac",
      })
  void paeKnownAnswers(String type, String body, String expected) {
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), Pae.encode(type, payload));
  }

  @Test
  void signedEnvelopeVerifiesAndSurvivesJson() throws Exception {
    byte[] payload = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    DsseEnvelope envelope =
        DsseEnvelope.sign(
            DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
            payload,
            Signers.forPrivateKey(pair.getPrivate()),
            "k1");

    DsseEnvelope read = DsseEnvelope.parse(envelope.toJson());

    assertTrue(read.verifiedSignature(trusted).isPresent());
    assertEquals("k1", read.signatures().get(0).keyid());
    assertEquals(
        List.of("payloadType", "payload", "signatures"),
        iterable(new ObjectMapper().readTree(envelope.toJson()).fieldNames()));
  }

  @Test
  void signatureCoversPayloadAndType() {
    byte[] payload = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    DsseEnvelope envelope =
        DsseEnvelope.sign("type/a", payload, Signers.forPrivateKey(pair.getPrivate()), "");
    DsseEnvelope otherType = new DsseEnvelope("type/b", payload, envelope.signatures());
    DsseEnvelope otherPayload =
        new DsseEnvelope(
            "type/a", "{\"a\":2}".getBytes(StandardCharsets.UTF_8), envelope.signatures());

    assertTrue(envelope.verifiedSignature(trusted).isPresent());
    assertFalse(otherType.verifiedSignature(trusted).isPresent());
    assertFalse(otherPayload.verifiedSignature(trusted).isPresent());
    assertFalse(
        envelope
            .verifiedSignature(
                List.of(Verifiers.forPublicKey(KeyAlgorithm.ECDSA_P256.generate().getPublic())))
            .isPresent());
  }

  @Test
  void acceptsUrlSafeBase64AndRefusesGarbage() {
    DsseEnvelope envelope =
        DsseEnvelope.parse(
            "{\"payloadType\":\"t\",\"payload\":\"_-8\",\"signatures\":[]}"
                .getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xef}, envelope.payload());
    assertThrows(
        InvalidPayloadException.class,
        () -> DsseEnvelope.parse("{\"payloadType\":\"t\"}".getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
