package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.AccessRule.Action;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The token scope grammar: well-formed scopes parse, malformed ones are dropped, never thrown. */
class ScopeTest {
  // A gateway repository name has no host:port, so a scope naming one grants nothing here.

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "repository:team/app:pull | repository | team/app | pull",
        "repository:team/app:pull,push | repository | team/app | pull,push",
        "repository:registry.example.com/team/app:push | repository | registry.example.com/team/app | push",
        "repository:docker.io/library/alpine:* | repository | docker.io/library/alpine | *",
        "repository(plugin):a/b:pull | repository(plugin) | a/b | pull",
        "registry:catalog:* | registry | catalog | *",
        "repository:a:pull,pull | repository | a | pull",
      })
  void parsesWellFormedScopes(String value, String type, String name, String actions) {
    Scope s = Scope.parse(value).orElseThrow();
    assertEquals(type, s.type());
    assertEquals(name, s.name());
    assertEquals(List.of(actions.split(",")), s.actions());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ":",
        "::",
        "repository",
        "repository:",
        "repository:app",
        "repository::pull",
        "repository:app:",
        "repository:Team/App:pull",
        "repository:../etc:pull",
        "repository:a//b:pull",
        "repository:a:pull,",
        "repository:a:PULL",
        "repository:a:pu ll",
        "repository:localhost:5000/team/app:pull",
        "Repository:a:pull",
        "repo%20sitory:a:pull",
        "repository:a:pull;push",
        "\u0000:a:pull",
      })
  void dropsMalformedScopes(String value) {
    assertTrue(Scope.parse(value).isEmpty(), value);
    if (!value.contains(" ")) {
      assertEquals(List.of(), Scope.parseAll(List.of(value)));
    }
  }

  @Test
  void veryLongScopesAreDropped() {
    assertTrue(Scope.parse("repository:" + "a/".repeat(400) + "a:pull").isEmpty());
  }

  @Test
  void parseAllSplitsOnSpacesMergesAndKeepsTheGoodOnes() {
    List<Scope> scopes =
        Scope.parseAll(
            List.of("repository:a:pull repository:b:push junk", "repository:a:push", "x:y"));
    assertEquals(
        List.of(
            new Scope("repository", "a", List.of("pull", "push")),
            new Scope("repository", "b", List.of("push"))),
        scopes);
  }

  @Test
  void onlyRepositoryScopesAskForActions() {
    assertEquals(
        Set.of(Action.values()), Scope.parse("repository:a:*").orElseThrow().repositoryActions());
    assertEquals(
        Set.of(Action.PULL),
        Scope.parse("repository:a:pull,frobnicate").orElseThrow().repositoryActions());
    assertEquals(Set.of(), Scope.parse("registry:catalog:*").orElseThrow().repositoryActions());
    assertEquals(
        "repository:a/b:pull,push",
        Scope.repository("a/b", Set.of(Action.PULL, Action.PUSH)).toString());
  }

  /** Arbitrary text never throws: a scope is well formed (and prints back as itself) or empty. */
  @Property
  void arbitraryScopesNeverThrow(@ForAll("scopes") String value) {
    Scope.parse(value)
        .ifPresent(
            s -> {
              assertEquals(Optional.of(s), Scope.parse(s.toString()));
              s.repositoryActions();
            });
    Scope.parseAll(List.of(value, value + " " + value)).forEach(Scope::repositoryActions);
  }

  @Property
  void anyStringNeverThrows(@ForAll String value) {
    Scope.parse(value);
    Scope.parseAll(List.of(value));
  }

  @Provide
  Arbitrary<String> scopes() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of("repository", "registry", "repository(plugin)", ":", ",", "*", " "),
            Arbitraries.of("pull", "push", "delete", "a/b", "team/app", "host:5000/x", "..", "//"),
            Arbitraries.strings().withChars("ab:/,*() .-_").ofMaxLength(10),
            Arbitraries.strings().ofMaxLength(6));
    return piece.list().ofMaxSize(7).map(parts -> String.join("", parts));
  }
}
