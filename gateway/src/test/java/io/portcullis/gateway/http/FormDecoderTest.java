package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Token request parameters and request queries: repeated keys kept, escapes decoded, malformed
 * input is empty (and the first malformed parameter named), never an exception.
 */
class FormDecoderTest {

  @Test
  void decodesRepeatedAndEscapedParameters() {
    MultiMap m =
        FormDecoder.decode("scope=repository%3Aa%3Apull&scope=repository:b:push+x&flag&&e=")
            .orElseThrow();
    assertEquals(List.of("repository:a:pull", "repository:b:push x"), m.getAll("scope"));
    assertEquals("", m.get("flag"));
    assertEquals("", m.get("e"));
    assertTrue(FormDecoder.decode(null).orElseThrow().isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"scope=%zz", "a=%", "%g0=1", "password=%2"})
  void malformedEscapesAreRefusedNotThrown(String text) {
    assertTrue(FormDecoder.decode(text).isEmpty(), text);
  }

  @ParameterizedTest
  @CsvSource({"ns=%zz,ns", "a=1&last=%,last", "n=5&digest=%4&x=%zz,digest", "%zz=1,%zz"})
  void namesTheFirstMalformedParameter(String text, String name) {
    assertEquals(Optional.of(name), FormDecoder.firstMalformed(text));
  }

  /** Arbitrary text: never an exception, and a parameter is named exactly when decoding fails. */
  @Property
  void arbitraryQueriesNeverThrow(@ForAll("queries") String text) {
    Optional<MultiMap> decoded = FormDecoder.decode(text);
    Optional<String> malformed = FormDecoder.firstMalformed(text);
    assertEquals(decoded.isEmpty(), malformed.isPresent(), text);
    malformed.ifPresent(name -> assertTrue(name.length() <= 64));
  }

  /**
   * What Vert.x (Netty's decoder) refuses, this decoder refuses too, so the gateway's 400 for a bad
   * query can always name the parameter or fall back to a generic one, and never lets a 500
   * through.
   */
  @Property
  void refusesWhatTheServersDecoderRefuses(@ForAll("queries") String text) {
    boolean nettyRefuses;
    try {
      new QueryStringDecoder("/p?" + text).parameters();
      nettyRefuses = false;
    } catch (IllegalArgumentException e) {
      nettyRefuses = true;
    }
    if (nettyRefuses) {
      assertTrue(FormDecoder.decode(text).isEmpty(), text);
    }
  }

  @Property
  void encodedParametersComeBackAsSent(@ForAll String name, @ForAll String value) {
    Assume.that(!name.isEmpty());
    String text =
        URLEncoder.encode(name, StandardCharsets.UTF_8)
            + "="
            + URLEncoder.encode(value, StandardCharsets.UTF_8);
    MultiMap m = FormDecoder.decode(text).orElseThrow();
    // Lone surrogates do not survive UTF-8; everything else must.
    Assume.that(
        name.equals(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    Assume.that(
        value.equals(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    assertEquals(value, m.get(name));
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.strings().withChars("%&=+;aZ09zg").ofMaxLength(12),
            Arbitraries.strings().ofMaxLength(12),
            Arbitraries.of("%", "%z", "%zz", "%4", "%41", "%e2%82", "%ff", "ns=", "&", "=", "%25"));
    return piece.list().ofMaxSize(8).map(parts -> String.join("", parts));
  }
}
