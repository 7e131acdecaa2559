package io.portcullis.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one reading of a token service's answer, shared by the CLI's {@code TokenAuthenticator} and
 * the gateway's {@code UpstreamAuth}.
 */
class TokenResponseTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'{\"token\":\"t1\",\"expires_in\":300}' | t1 | 300",
        // OAuth2's name, as some services send it alone
        "'{\"access_token\":\"a1\",\"expires_in\":120}' | a1 | 120",
        // Docker Hub sends both; token wins
        "'{\"token\":\"t2\",\"access_token\":\"a2\"}' | t2 | 60",
        // an empty token falls back on access_token
        "'{\"token\":\"\",\"access_token\":\"a3\"}' | a3 | 60",
        // absent, zero, negative or not a number: the spec's 60 seconds
        "'{\"token\":\"t3\"}' | t3 | 60",
        "'{\"token\":\"t4\",\"expires_in\":0}' | t4 | 60",
        "'{\"token\":\"t5\",\"expires_in\":-5}' | t5 | 60",
        "'{\"token\":\"t6\",\"expires_in\":\"soon\"}' | t6 | 60",
      })
  void readsTheTokenAndItsLifetime(String json, String token, long seconds) {
    TokenResponse r = TokenResponse.parse(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(token, r.token());
    assertEquals(Duration.ofSeconds(seconds), r.expiresIn());
    assertFalse(r.toString().contains(token), "the token is never printed");
  }

  @org.junit.jupiter.api.Test
  void aLifetimeBeyondADayIsCappedSoNoClockOverflows() {
    TokenResponse r =
        TokenResponse.parse(
            "{\"token\":\"t\",\"expires_in\":9223372036854775807}"
                .getBytes(StandardCharsets.UTF_8));
    assertEquals(TokenResponse.MAX_LIFETIME, r.expiresIn());
    assertEquals(
        true, java.time.Instant.now().plus(r.expiresIn()).isAfter(java.time.Instant.now()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all secret-ish | not JSON",
        "'[\"token\"]' | not a JSON object",
        "'{}' | carries no token",
        "'{\"token\":42}' | carries no token",
        "'{\"token\":\"\"}' | carries no token",
      })
  void refusesWhatIsNoTokenResponseWithoutEchoingIt(String body, String reason) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TokenResponse.parse(body.getBytes(StandardCharsets.UTF_8)));
    assertEquals(true, e.getMessage().contains(reason), e.getMessage());
    assertFalse(e.getMessage().contains("secret-ish"));
  }
}
