package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Token request parameters: repeated keys kept, escapes decoded, malformed input is empty. */
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
}
