package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.AccessRule;
import io.portcullis.gateway.config.AccessRule.Action;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.FailedLoginConfig;
import io.portcullis.gateway.config.QuotaConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Glob matching, role unions, anonymous rules, robot scopes and deny-beats-allow. */
class AccessPolicyTest {
  static final AccessPolicy POLICY =
      new AccessPolicy(
          config(
              """
              auth:
                anonymous:
                  - {repositories: ["docker.io/**"], actions: [pull]}
                  - {repositories: ["docker.io/evil/**"], actions: [pull], effect: deny}
                roles:
                  reader: [{repositories: ["**"], actions: [pull]}]
                  team-a-dev:
                    - {repositories: ["team-a/**"], actions: [pull, push]}
                    - {repositories: ["team-a/*/releases"], actions: [push], effect: deny}
                  cleaner: [{repositories: ["team-*/tmp-*"], actions: [delete]}]
                  no-secrets: [{repositories: ["**/secret"], actions: ["*"], effect: deny}]
              """));

  static AuthConfig config(String yaml) {
    return ConfigLoader.parse(
            ("upstreams: [{name: a, url: 'http://x'}]\ndataDir: target/unused\n" + yaml)
                .getBytes(StandardCharsets.UTF_8),
            "test")
        .auth()
        .orElseThrow();
  }

  @ParameterizedTest(name = "{0} on {1} -> [{2}]")
  @CsvSource(
      delimiter = '|',
      value = {
        // roles            | repository                  | allowed
        "''                  | docker.io/library/alpine    | pull",
        "''                  | docker.io/evil/miner        | ''",
        "''                  | team-a/app                  | ''",
        "reader              | team-a/app                  | pull",
        "reader              | docker.io/evil/miner        | ''",
        "team-a-dev          | team-a/app                  | pull push",
        "team-a-dev          | team-a/app/sub              | pull push",
        "team-a-dev          | team-a                      | pull push",
        "team-a-dev          | team-b/app                  | ''",
        "team-a-dev          | team-ab/app                 | ''",
        "team-a-dev          | team-a/app/releases         | pull",
        "team-a-dev          | team-a/x/y/releases         | pull push",
        "team-a-dev reader   | team-b/app                  | pull",
        "cleaner             | team-a/tmp-1                | delete",
        "cleaner             | team-a/sub/tmp-1            | ''",
        "team-a-dev cleaner  | team-a/tmp-x                | pull push delete",
        "reader no-secrets   | team-a/secret               | ''",
        "reader no-secrets   | deep/down/secret            | ''",
        "reader no-secrets   | team-a/secrets              | pull",
        "unknown-role        | team-a/app                  | ''",
      })
  void userRolesAreUnitedAndDenyBeatsAllow(String roles, String repository, String expected) {
    Identity user =
        new Identity(
            "u",
            Identity.Kind.USER,
            roles.isEmpty() ? List.of() : List.of(roles.split(" ")),
            List.of());
    assertEquals(actions(expected), POLICY.allowed(user, repository));
  }

  @Test
  void anonymousGetsOnlyTheAnonymousRules() {
    Identity anon = AccessPolicy.anonymous();
    assertEquals(Set.of(Action.PULL), POLICY.allowed(anon, "docker.io/library/alpine"));
    assertEquals(Set.of(), POLICY.allowed(anon, "team-a/app"));
    assertEquals(Set.of(), POLICY.allowed(anon, "docker.io/evil/x"));
    Identity sneaky = new Identity("x", Identity.Kind.ANONYMOUS, List.of("reader"), List.of());
    assertEquals(Set.of(), POLICY.allowed(sneaky, "team-a/app"), "roles are ignored for anonymous");
    assertTrue(POLICY.anonymousEnabled());
    assertFalse(new AccessPolicy(config("auth: {}\n")).anonymousEnabled());
  }

  @Test
  void robotScopesNarrowTheirRoles() {
    Identity robot =
        new Identity("robot$ci", Identity.Kind.ROBOT, List.of("team-a-dev"), List.of("team-a/app"));
    assertEquals(actions("pull push"), POLICY.allowed(robot, "team-a/app"));
    assertEquals(Set.of(), POLICY.allowed(robot, "team-a/other"));
    assertEquals(
        Set.of(), POLICY.allowed(robot, "docker.io/library/alpine"), "scopes cut anonymous too");
    Identity broken =
        new Identity("robot$x", Identity.Kind.ROBOT, List.of("reader"), List.of("Bad**"));
    assertEquals(
        Set.of(), POLICY.allowed(broken, "team-a/app"), "an unusable scope grants nothing");
  }

  @Test
  void usersGetTheirConfiguredRoles() {
    AccessPolicy p =
        new AccessPolicy(
            new AuthConfig(
                Path.of("k"),
                Duration.ofMinutes(5),
                Duration.ofHours(1),
                Optional.empty(),
                List.of(),
                policyRoles(),
                Map.of("alice", List.of("reader")),
                Optional.empty(),
                List.of(),
                QuotaConfig.NONE,
                FailedLoginConfig.DEFAULTS,
                true));
    assertEquals(List.of("reader"), p.user("alice").roles());
    assertEquals(List.of(), p.user("mallory").roles());
    assertEquals(Set.of(Action.PULL), p.allowed(p.user("alice"), "x/y"));
  }

  private static Map<String, List<AccessRule>> policyRoles() {
    return config("auth:\n  roles:\n    reader: [{repositories: [\"**\"], actions: [pull]}]\n")
        .roles();
  }

  private static Set<Action> actions(String names) {
    if (names.isBlank()) {
      return EnumSet.noneOf(Action.class);
    }
    return Arrays.stream(names.split(" "))
        .map(n -> Action.parse(n).orElseThrow())
        .collect(Collectors.toCollection(() -> EnumSet.noneOf(Action.class)));
  }
}
