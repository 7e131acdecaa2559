package io.portcullis.core.cosign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimpleSigningPayloadTest {
  private static final Digest IMAGE =
      Digest.parse("sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00");

  @Test
  void createdPayloadIsByteForByteWhatCosignSigned() {
    byte[] cosign = CosignFixtures.layers("dir-img-cosign-valid").get(0).content();

    SimpleSigningPayload ours =
        SimpleSigningPayload.create(
            "192.168.64.2:5000/cosign-signed-single-sample", IMAGE, Map.of());

    assertArrayEquals(cosign, ours.raw());
  }

  @Test
  void annotationsGoToOptional() {
    SimpleSigningPayload payload =
        SimpleSigningPayload.create("r.example/app", IMAGE, Map.of("team", "a"));
    assertTrue(
        new String(payload.raw(), StandardCharsets.UTF_8)
            .endsWith(",\"optional\":{\"team\":\"a\"}}"));
    assertEquals("a", payload.optional().get("team").asText());
  }

  @Test
  void parsesSkopeoPayloadWithTagAndOptionalFields() {
    SimpleSigningPayload payload =
        SimpleSigningPayload.parse(
            CosignFixtures.layers("dir-img-cosign-valid-with-tag").get(0).content());
    assertEquals("192.168.64.2:5000/skopeo-signed:tag", payload.dockerReference());
    assertEquals(IMAGE, payload.manifestDigest());
    assertEquals(SimpleSigningPayload.COSIGN_TYPE, payload.type());
    assertEquals(1657296609, payload.optional().get("timestamp").asLong());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json|not valid JSON",
        "[1]|not a JSON object",
        "{}|lacks critical identity",
        "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"type\":\"t\"}}|lacks critical image digest",
        "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"sha256:00\"},\"type\":\"t\"}}|docker-manifest-digest",
      })
  void malformedPayloadsAreRefusedWithTheMissingField(String json, String expected) {
    InvalidPayloadException e =
        assertThrows(
            InvalidPayloadException.class,
            () -> SimpleSigningPayload.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
