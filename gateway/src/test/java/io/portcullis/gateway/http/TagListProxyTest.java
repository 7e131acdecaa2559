package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What an upstream's tag list may be before the gateway sorts and pages it. */
class TagListProxyTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json",
        "[\"a\"]",
        "{\"name\":\"x\",\"tags\":\"a\"}",
        "{\"name\":\"x\",\"tags\":{\"a\":1}}",
        "{\"name\":\"x\",\"tags\":[\"a\",1]}",
        "{\"name\":\"x\",\"tags\":[[\"a\"]]}",
        "{\"name\":\"x\",\"tags\":[null]}"
      })
  void aMalformedTagListIsABadUpstreamAnswer(String body) {
    OciException e =
        assertThrows(OciException.class, () -> TagListProxy.read(Buffer.buffer(body), "hub"));
    assertEquals(OciErrorCode.UNAVAILABLE, e.code());
    assertEquals(502, e.status());
    // Before the check, these reached the sort as a ClassCastException: a 500.
    assertEquals("upstream 'hub' sent an unreadable tag list", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"name\":\"x\",\"tags\":[\"b\",\"a\"]}",
        "{\"name\":\"x\",\"tags\":null}",
        "{\"name\":\"x\"}"
      })
  void aTagListOfStringsOrNoneIsRead(String body) {
    TagListProxy.read(Buffer.buffer(body), "hub");
  }

  @Test
  void tagsAreSortedAfterTheyAreRead() {
    var json = TagListProxy.read(Buffer.buffer("{\"name\":\"x\",\"tags\":[\"b\",\"a\"]}"), "hub");
    assertEquals(null, TagListProxy.paginate(json, -1, null, null));
    assertEquals(new JsonArray().add("a").add("b"), json.getJsonArray("tags"));
  }
}
