package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChallengeTest {

  @Test
  void parsesDockerHubBearerChallengeWithCommaInScope() {
    Challenge c =
        Challenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    + "scope=\"repository:library/alpine:pull,push\"")
            .orElseThrow();
    assertTrue(c.isBearer());
    assertEquals(Optional.of("https://auth.docker.io/token"), c.param("realm"));
    assertEquals(Optional.of("registry.docker.io"), c.param("service"));
    assertEquals(Optional.of("repository:library/alpine:pull,push"), c.param("scope"));
  }

  @Test
  void parsesBasicAndUnquotedValues() {
    Challenge c = Challenge.parse("Basic realm=\"Registry Realm\"").orElseThrow();
    assertTrue(c.isBasic());
    Challenge u = Challenge.parse("bearer realm=https://x/token, service=x").orElseThrow();
    assertEquals(Optional.of("https://x/token"), u.param("realm"));
    assertEquals(Optional.of("x"), u.param("service"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "Negotiate abc", "Bearer service=\"x\"", "Digest realm=\"x\""})
  void ignoresWhatItCannotUse(String header) {
    assertEquals(Optional.empty(), Challenge.parse(header));
  }
}
