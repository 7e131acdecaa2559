package io.portcullis.core.registry;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A token service's answer comes from wherever a challenge's realm points: whatever it sends, the
 * reading is a token or an {@link IllegalArgumentException}, never another failure, and a positive
 * lifetime.
 */
class TokenResponsePropertyTest {

  @Property(tries = 2000)
  void anyBodyIsATokenOrARefusal(@ForAll byte[] body) {
    read(body);
  }

  @Property(tries = 2000)
  void anyJsonObjectIsATokenOrARefusal(@ForAll String token, @ForAll String expiresIn) {
    read(
        ("{\"token\":\""
                + token.replace("\\", "").replace("\"", "")
                + "\",\"expires_in\":"
                + (expiresIn.isEmpty() ? "1" : expiresIn)
                + "}")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static void read(byte[] body) {
    try {
      TokenResponse r = TokenResponse.parse(body);
      assertFalse(r.token().isEmpty());
      assertFalse(r.expiresIn().isNegative() || r.expiresIn().isZero());
    } catch (IllegalArgumentException refused) {
      // a refusal is the other allowed answer
    }
  }
}
