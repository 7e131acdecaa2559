package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.gateway.config.OidcRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OidcClaimRulesTest {

  @ParameterizedTest(name = "''{0}'' vs ''{1}'' -> {2}")
  @CsvSource({
    "acme/app,            acme/app,             true",
    "acme/app,            acme/app2,            false",
    "acme/app,            Acme/app,             false",
    "acme/*,              acme/app,             true",
    "acme/*,              acme/app/sub,         false",
    "acme/*,              acme/,                true",
    "refs/heads/*,        refs/heads/main,      true",
    "refs/heads/*,        refs/heads/feat/x,    false",
    "refs/heads/**,       refs/heads/feat/x,    true",
    "refs/tags/v*,        refs/tags/v1.2.3,     true",
    "refs/tags/v*,        refs/tags/1.2.3,      false",
    "*,                   anything,             true",
    "*,                   a/b,                  false",
    "**,                  a/b,                  true",
    "a.b,                 axb,                  false",
    "(x),                 (x),                  true",
  })
  void globValues(String glob, String value, boolean matches) {
    OidcClaimRules rules =
        new OidcClaimRules(List.of(new OidcRule(Map.of("c", glob), List.of("r"))));
    assertEquals(matches ? List.of("r") : List.of(), rules.roles(Map.of("c", value)));
  }

  @Test
  void everyListedClaimMustMatch() {
    OidcClaimRules rules =
        new OidcClaimRules(
            List.of(
                new OidcRule(
                    Map.of("repository", "acme/app", "ref", "refs/heads/main"), List.of("dev"))));
    assertEquals(
        List.of("dev"),
        rules.roles(Map.of("repository", "acme/app", "ref", "refs/heads/main", "extra", "x")));
    assertEquals(List.of(), rules.roles(Map.of("repository", "acme/app")), "missing claim");
    assertEquals(
        List.of(),
        rules.roles(Map.of("repository", "acme/app", "ref", "refs/heads/main\n")),
        "whole value, no trailing newline");
    assertEquals(List.of(), rules.roles(Map.of("repository", "acme/app", "ref", "refs/heads/dev")));
  }

  @Test
  void scalarClaimsCompareByTextAndStructuredOnesNeverMatch() {
    OidcClaimRules rules =
        new OidcClaimRules(
            List.of(
                new OidcRule(Map.of("run_attempt", "1"), List.of("number")),
                new OidcRule(Map.of("protected", "true"), List.of("boolean")),
                new OidcRule(Map.of("groups", "*"), List.of("array"))));
    Map<String, Object> claims = new HashMap<>();
    claims.put("run_attempt", 1L);
    claims.put("protected", true);
    claims.put("groups", List.of("admins"));
    assertEquals(List.of("number", "boolean"), rules.roles(claims));
    claims.put("groups", Map.of("a", "b"));
    claims.put("run_attempt", null);
    assertEquals(List.of("boolean"), rules.roles(claims));
  }

  @Test
  void rolesOfAllMatchingRulesInRuleOrderOnce() {
    OidcClaimRules rules =
        new OidcClaimRules(
            List.of(
                new OidcRule(Map.of("a", "1"), List.of("x", "y")),
                new OidcRule(Map.of("b", "2"), List.of("y", "z")),
                new OidcRule(Map.of("a", "9"), List.of("never"))));
    assertEquals(List.of("x", "y", "z"), rules.roles(Map.of("a", "1", "b", "2")));
  }

  @Test
  void aRuleWithoutClaimsIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new OidcClaimRules(List.of(new OidcRule(Map.of(), List.of("everyone")))));
  }
}
