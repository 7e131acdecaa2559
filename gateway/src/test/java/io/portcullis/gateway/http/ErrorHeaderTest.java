package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * What the gateway puts on one line from text a client or an upstream chose: the {@code
 * Portcullis-Error} header and the query in the access log. Neither can split a line, forge a
 * header or grow without bound; a query never shows the values of parameters it does not know.
 */
class ErrorHeaderTest {

  @Test
  void headerIsCodeAndMessage() {
    assertEquals(
        "DENIED: policy 'prod' requires a signature",
        ErrorResponder.headerValue("DENIED", "policy 'prod' requires a signature"));
  }

  @Test
  void headerReplacesLineBreaksAndNonAscii() {
    String v = ErrorResponder.headerValue("DENIED", "a\r\nSet-Cookie: x=1\u0000é");
    assertEquals("DENIED: a??Set-Cookie: x=1??", v);
  }

  @Property
  void headerIsAlwaysOneShortLineOfVisibleAscii(@ForAll String code, @ForAll String message) {
    String v = ErrorResponder.headerValue(code, message);
    assertTrue(v.length() <= ErrorResponder.MAX_HEADER_VALUE, v);
    assertTrue(v.chars().allMatch(c -> c >= 0x20 && c < 0x7f), v);
    assertEquals(v.strip(), v);
  }

  @Test
  void queryKeepsKnownParametersAndMasksTheRest() {
    assertEquals(
        "n=5&last=b&password=*&refresh_token=*&*&ns",
        RequestObserver.loggableQuery("n=5&last=b&password=hunter2&refresh_token=abc&flag&ns"));
    assertEquals("", RequestObserver.loggableQuery(null));
    assertEquals("ns=docker.io", RequestObserver.loggableQuery("ns=docker.io"));
  }

  @Property
  void aBareUnknownPairIsNeverLogged(@ForAll("bare") String secret) {
    // A token pasted as the whole query, or as a pair without '='.
    assertEquals("*", RequestObserver.loggableQuery(secret));
    assertEquals("n=1&*", RequestObserver.loggableQuery("n=1&" + secret));
  }

  @Provide
  Arbitrary<String> bare() {
    return Arbitraries.strings()
        .ofMinLength(1)
        .filter(s -> s.indexOf('&') < 0 && s.indexOf('=') < 0)
        .filter(s -> !RequestObserver.LOGGED_PARAMETERS.contains(s));
  }

  @Property
  void queryIsAlwaysOneShortLineOfVisibleAscii(@ForAll String q) {
    String v = RequestObserver.loggableQuery(q);
    assertTrue(v.length() <= RequestObserver.MAX_LOGGED_QUERY, v);
    assertTrue(v.chars().allMatch(c -> c > 0x20 && c < 0x7f), v);
  }

  @Property
  void anUnknownParametersValueIsNeverLogged(@ForAll String secret) {
    String v = RequestObserver.loggableQuery("n=1&access_token=" + secret.replace("&", ""));
    assertEquals("n=1&access_token=*", v);
  }
}
