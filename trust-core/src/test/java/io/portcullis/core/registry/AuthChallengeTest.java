package io.portcullis.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one {@code WWW-Authenticate} parser, shared by the CLI's registry client and the gateway's
 * upstreams ({@code UpstreamAuth}): every challenge parsed, and the one a client answers.
 */
class AuthChallengeTest {

  /**
   * Which challenge a client answers, and with what: a bearer with a realm first, then basic;
   * nothing for schemes it does not speak or a bearer without a realm. {@code -} is "no challenge";
   * {@code params} are {@code name=value} pairs separated by {@code ;}.
   */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        // Docker Hub: a comma inside a quoted scope
        "'Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
            + "scope=\"repository:library/alpine:pull,push\"' | bearer | realm=https://auth.docker.io/token;"
            + "service=registry.docker.io;scope=repository:library/alpine:pull,push",
        "'Basic realm=\"Registry Realm\"' | basic | realm=Registry Realm",
        // unquoted values (some servers leave URLs bare), lower-case scheme, spaces after commas
        "'bearer realm=https://x/token, service=x' | bearer | realm=https://x/token;service=x",
        // a bearer is preferred to a basic offered first
        "'Basic realm=\"r\", Bearer realm=\"https://t/token\"' | bearer | realm=https://t/token",
        // a bearer without a realm cannot be answered: the basic next to it can
        "'Bearer service=\"x\", Basic realm=\"r\"' | basic | realm=r",
        "'' | - | -",
        "'   ' | - | -",
        "'Negotiate abc' | - | -",
        "'Bearer service=\"x\"' | - | -",
        "'Digest realm=\"x\"' | - | -",
      })
  void theChallengeAClientAnswers(String header, String scheme, String params) {
    Optional<AuthChallenge> c = AuthChallenge.preferred(header);
    if (scheme == null) {
      assertEquals(Optional.empty(), c);
      return;
    }
    assertEquals(scheme, c.orElseThrow().scheme());
    for (String pair : params.split(";")) {
      int eq = pair.indexOf('=');
      assertEquals(Optional.of(pair.substring(eq + 1)), c.get().param(pair.substring(0, eq)), pair);
    }
  }

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
