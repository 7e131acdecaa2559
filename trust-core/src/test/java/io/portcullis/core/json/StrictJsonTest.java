package io.portcullis.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Descriptor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the one strict reader refuses, and that it still reads ordinary JSON. */
class StrictJsonTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String refusal(byte[] json) {
    return assertThrows(StrictJson.InvalidJsonException.class, () -> StrictJson.readTree(json))
        .getMessage();
  }

  private static void assertContains(String message, String part) {
    assertTrue(
        message
            .toLowerCase(java.util.Locale.ROOT)
            .contains(part.toLowerCase(java.util.Locale.ROOT)),
        () -> "'" + message + "' should mention '" + part + "'");
  }

  @Test
  void readsOrdinaryJson() {
    var node = StrictJson.readTree(utf8(" {\"a\":[1,2.5,\"\u00e9\",null,true],\"b\":{}}\n"));
    assertEquals(5, node.path("a").size());
    assertEquals("\u00e9", node.path("a").get(2).asText());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":1,\"a\":2}",
        "{\"x\":{\"digest\":\"sha256:aa\",\"digest\":\"sha256:bb\"}}",
        "[{\"a\":1,\"b\":2,\"a\":1}]"
      })
  void refusesDuplicateNames(String json) {
    assertContains(refusal(utf8(json)), "duplicate");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"digest\":\"sha256:aa\",\"Digest\":\"sha256:bb\"}",
        "{\"mediaType\":\"a\",\"MEDIATYPE\":\"b\"}",
        // Go folds the Kelvin sign to k and the long s to s
        "{\"kind\":1,\"\u212Aind\":2}",
        "{\"size\":1,\"\u017Fize\":2}"
      })
  void structNamesThatDifferOnlyInCaseAreRefusedMapKeysAreNot(String json) {
    var node = StrictJson.readTree(utf8(json));
    var e =
        assertThrows(
            StrictJson.InvalidJsonException.class, () -> StrictJson.requireStructNames(node));
    assertContains(e.getMessage(), "differ only in case");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}{}", "{} x", "{\"a\":1}]", "[1] [2]", "1 2"})
  void refusesTrailingContent(String json) {
    refusal(utf8(json));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "   ", "{'a':1}", "{\"a\":1,}", "{\"a\":NaN}", "{\"a\":01}", "//\n{}"})
  void refusesWhatRfc8259Refuses(String json) {
    refusal(utf8(json));
  }

  @Test
  void refusesByteOrderMarkAndOtherEncodings() {
    assertContains(
        refusal(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'}), "byte-order mark");
    // {} in UTF-16BE and UTF-32LE: Jackson alone would guess the encoding and accept them
    assertContains(refusal(new byte[] {0, '{', 0, '}'}), "UTF-8");
    assertContains(refusal(new byte[] {'{', 0, 0, 0, '}', 0, 0, 0}), "UTF-8");
    // an overlong encoding of '"' and a lone surrogate inside a string
    assertContains(refusal(new byte[] {'"', (byte) 0xc0, (byte) 0xa2, '"'}), "UTF-8");
    assertContains(refusal(new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}), "UTF-8");
  }

  @Test
  void refusesDepthBombsQuickly() {
    int n = 1_000_000;
    String arrays = "[".repeat(n) + "]".repeat(n);
    String objects = "{\"a\":".repeat(n) + "1" + "}".repeat(n);
    assertTimeoutPreemptively(
        Duration.ofSeconds(2),
        () -> {
          assertContains(refusal(utf8(arrays)), "depth");
          assertContains(refusal(utf8(objects)), "depth");
        });
    String deepest = "[".repeat(StrictJson.MAX_DEPTH) + "]".repeat(StrictJson.MAX_DEPTH);
    assertTrue(StrictJson.readTree(utf8(deepest)).isArray());
  }

  @Test
  void refusesOverlongNumbersAndNames() {
    assertContains(refusal(utf8("{\"a\":" + "9".repeat(100_000) + "}")), "length");
    assertContains(
        refusal(utf8("{\"" + "n".repeat(StrictJson.MAX_NAME_LENGTH + 1) + "\":1}")), "length");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"digest\":\"sha256:aa\",\"size\":\"12\"}",
        "{\"digest\":\"sha256:aa\",\"size\":1.5}",
        "{\"digest\":\"sha256:aa\",\"size\":true}",
        "{\"digest\":\"sha256:aa\",\"size\":12,\"mediaType\":7}"
      })
  void bindingRefusesCoercionsGoRefuses(String json) {
    assertThrows(
        StrictJson.InvalidJsonException.class, () -> StrictJson.read(utf8(json), Descriptor.class));
  }

  @Test
  void bindsWhatFits() {
    Descriptor d =
        StrictJson.read(
            utf8("{\"mediaType\":\"m\",\"digest\":\"sha256:aa\",\"size\":12,\"x\":{}}"),
            Descriptor.class);
    assertEquals(12, d.size());
  }
}
