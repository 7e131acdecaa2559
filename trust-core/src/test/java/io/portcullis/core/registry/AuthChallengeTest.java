package io.portcullis.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthChallengeTest {

  @Test
  void parsesTheRegistryTokenChallenge() {
    List<AuthChallenge> all =
        AuthChallenge.parseAll(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:samalba/my-app:pull,push\"");
    assertEquals(1, all.size());
    AuthChallenge c = all.get(0);
    assertTrue(c.isBearer());
    assertEquals(
        Map.of(
            "realm", "https://auth.docker.io/token",
            "service", "registry.docker.io",
            "scope", "repository:samalba/my-app:pull,push"),
        c.params());
  }

  @Test
  void parsesSeveralChallengesAndMixedCase() {
    List<AuthChallenge> all =
        AuthChallenge.parseAll(
            "Basic realm=\"Registry Realm\", BEARER Realm=\"https://t.example/token\" ,"
                + " Service=reg.example");
    assertEquals(2, all.size());
    assertTrue(all.get(0).isBasic());
    assertEquals("Registry Realm", all.get(0).param("realm").orElseThrow());
    assertTrue(all.get(1).isBearer());
    assertEquals("https://t.example/token", all.get(1).param("REALM").orElseThrow());
    assertEquals("reg.example", all.get(1).param("service").orElseThrow());
  }

  @Test
  void unescapesQuotedPairsAndKeepsErrorParams() {
    AuthChallenge c =
        AuthChallenge.parseAll(
                "Bearer realm=\"https://t.example/a\\\"b\",error=\"insufficient_scope\"")
            .get(0);
    assertEquals("https://t.example/a\"b", c.param("realm").orElseThrow());
    assertEquals("insufficient_scope", c.param("error").orElseThrow());
  }

  @Test
  void schemeWithoutParameters() {
    List<AuthChallenge> all = AuthChallenge.parseAll("Basic");
    assertEquals(1, all.size());
    assertTrue(all.get(0).params().isEmpty());
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  ", ",,,"})
  void noChallengeInBlankHeaders(String header) {
    assertTrue(AuthChallenge.parseAll(header).isEmpty());
  }

  @Test
  void unterminatedQuoteKeepsWhatWasSaid() {
    AuthChallenge c = AuthChallenge.parseAll("Bearer realm=\"https://t.example/token").get(0);
    assertEquals("https://t.example/token", c.param("realm").orElseThrow());
  }
}
