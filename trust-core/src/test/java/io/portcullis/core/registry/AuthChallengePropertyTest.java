package io.portcullis.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The {@code WWW-Authenticate} parser is fed by every upstream, lying ones included: whatever a
 * header holds, it answers (never throws), and a challenge written by the rules reads back as
 * written.
 */
class AuthChallengePropertyTest {

  @Property(tries = 2000)
  void anyHeaderIsParsedWithoutFailing(@ForAll String header) {
    AuthChallenge.parseAll(header);
    AuthChallenge.preferred(header)
        .ifPresent(c -> assertTrue(c.isBasic() || c.param("realm").isPresent()));
  }

  @Property(tries = 1000)
  void aBearerChallengeReadsBackAsWritten(
      @ForAll("printable") String realm,
      @ForAll("printable") String service,
      @ForAll("printable") String scope) {
    String header =
        "Bearer realm="
            + quoted(realm)
            + ",service="
            + quoted(service)
            + ", scope="
            + quoted(scope);
    AuthChallenge c = AuthChallenge.preferred(header).orElseThrow();
    assertTrue(c.isBearer());
    assertEquals(realm, c.param("realm").orElseThrow());
    assertEquals(service, c.param("service").orElseThrow());
    assertEquals(scope, c.param("scope").orElseThrow());
  }

  @Provide
  Arbitrary<String> printable() {
    return Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40);
  }

  /** A quoted-string (RFC 9110 §5.6.4): backslash and quote escaped. */
  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
