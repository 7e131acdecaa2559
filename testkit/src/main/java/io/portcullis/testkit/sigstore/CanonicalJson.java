package io.portcullis.testkit.sigstore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * <a href="https://www.rfc-editor.org/rfc/rfc8785">RFC 8785</a> canonical JSON for the values Rekor
 * canonicalizes (entry bodies and the SignedEntryTimestamp payload): maps with keys sorted, no
 * whitespace. Only strings, integers, lists and maps are written, for which Jackson's output with
 * sorted map keys is already canonical (ASCII strings, no floating point).
 */
public final class CanonicalJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private CanonicalJson() {}

  public static byte[] write(Map<String, ?> value) {
    try {
      return MAPPER.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not serialisable as JSON: " + value, e);
    }
  }
}
