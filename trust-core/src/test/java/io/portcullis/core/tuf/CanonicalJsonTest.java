package io.portcullis.core.tuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.core.json.StrictJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The canonical JSON of securesystemslib, byte for byte (what TUF signatures cover). */
class CanonicalJsonTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{ \"b\" : 1, \"a\" : [ true, false, null ] } | {\"a\":[true,false,null],\"b\":1}",
        "{\"nested\":{\"z\":{},\"y\":[]},\"A\":\"x\"} | {\"A\":\"x\",\"nested\":{\"y\":[],\"z\":{}}}",
        "{\"s\":\"quote \\\" backslash \\\\ slash \\/\"} | {\"s\":\"quote \\\" backslash \\\\ slash /\"}",
        "{\"n\":-12345678901234567890} | {\"n\":-12345678901234567890}",
        "{\"u\":\"\\u00e9\"} | {\"u\":\"é\"}",
      })
  void writesTheCanonicalForm(String json, String canonical) {
    assertEquals(canonical, canonical(json));
  }

  @Test
  void controlCharactersAreWrittenRawNotEscaped() {
    assertEquals("{\"k\":\"a\nb\tc\"}", canonical("{\"k\":\"a\\nb\\tc\"}"));
  }

  @Test
  void membersAreOrderedByCodePointNotByUtf16Unit() {
    // U+1F600 is a surrogate pair (D83D DE00) that UTF-16 order puts before U+FF21
    assertEquals("{\"Ａ\":1,\"😀\":2}", canonical("{\"😀\":2,\"Ａ\":1}"));
  }

  @Test
  void nonIntegerNumbersHaveNoCanonicalForm() {
    assertThrows(IllegalArgumentException.class, () -> canonical("{\"f\":1.5}"));
  }

  @Test
  void notaryEscapesLineAndParagraphSeparatorsAsGoDoes() {
    String json = "{\"s\":\"a\u2028b\u2029c\"}";
    assertEquals("{\"s\":\"a\\u2028b\\u2029c\"}", notary(json));
    // securesystemslib writes them raw
    assertEquals("{\"s\":\"a\u2028b\u2029c\"}", canonical(json));
  }

  @Test
  void notaryWritesAnUnpairedSurrogateAsTheReplacementCharacterEscaped() {
    assertEquals("{\"s\":\"x\\ufffdy\"}", notary("{\"s\":\"x\\ud800y\"}"));
    assertEquals("{\"s\":\"😀\"}", notary("{\"s\":\"\\ud83d\\ude00\"}"));
  }

  @Test
  void notaryKeepsTheRestOfTheForm() {
    assertEquals(
        "{\"a\":[true,null],\"b\":\"<&>\\\"\n\",\"c\":9007199254740992}",
        notary("{ \"c\": 9007199254740992, \"b\": \"<&>\\\"\\n\", \"a\": [true, null] }"));
  }

  @Test
  void notaryRefusesIntegersAFloat64CannotHoldExactly() {
    // notary re-reads metadata into float64 before canonicalising it
    assertThrows(IllegalArgumentException.class, () -> notary("{\"n\":9007199254740993}"));
  }

  private static String notary(String json) {
    return new String(
        CanonicalJson.NOTARY.canonicalize(StrictJson.readTree(json)), StandardCharsets.UTF_8);
  }

  private static String canonical(String json) {
    return new String(
        CanonicalJson.INSTANCE.canonicalize(StrictJson.readTree(json)), StandardCharsets.UTF_8);
  }
}
