package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.AccessRule.Action;
import io.portcullis.gateway.config.ConfigException;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The action {@code admin} (the robots admin API): granted only by a rule that names it, never by
 * {@code *}, beaten by a deny, never to anonymous callers or to robots narrowed to repositories.
 */
class AdminActionTest {
  static final AccessPolicy POLICY =
      new AccessPolicy(
          AccessPolicyTest.config(
              """
              auth:
                anonymous: [{repositories: ["**"], actions: [pull]}]
                roles:
                  everything: [{repositories: ["**"], actions: ["*"]}]
                  robot-admin: [{repositories: ["**"], actions: [admin]}]
                  ops:
                    - {repositories: ["**"], actions: [pull, admin]}
                  no-admin: [{repositories: ["**"], actions: [admin], effect: deny}]
              """));

  static Identity user(String... roles) {
    return new Identity("u", Identity.Kind.USER, List.of(roles), List.of());
  }

  @ParameterizedTest(name = "{0} -> admin {1}")
  @CsvSource({
    "everything, false",
    "robot-admin, true",
    "ops, true",
    "'robot-admin,no-admin', false",
    "'everything,no-admin', false",
    "'', false",
  })
  void onlyARuleNamingAdminGrantsIt(String roles, boolean admin) {
    Identity id = user(roles.isEmpty() ? new String[0] : roles.split(","));
    assertEquals(admin, POLICY.admin(id));
  }

  @Test
  void starStillMeansEveryRepositoryActionButNotAdmin() {
    assertEquals(EnumSet.allOf(Action.class), POLICY.allowed(user("everything"), "a/b"));
    assertEquals(EnumSet.of(Action.PULL), POLICY.allowed(user("robot-admin"), "a/b"));
  }

  @Test
  void neverAnonymousNorANarrowedRobot() {
    assertEquals(false, POLICY.admin(AccessPolicy.anonymous()));
    Identity narrowed =
        new Identity("robot$ci", Identity.Kind.ROBOT, List.of("robot-admin"), List.of("a/**"));
    assertEquals(false, POLICY.admin(narrowed));
    Identity robot =
        new Identity("robot$ops", Identity.Kind.ROBOT, List.of("robot-admin"), List.of());
    assertTrue(POLICY.admin(robot));
  }

  @Test
  void anonymousRulesCannotNameAdmin() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                AccessPolicyTest.config(
                    "auth:\n  anonymous: [{repositories: ['**'], actions: [pull, admin]}]\n"));
    assertTrue(e.getMessage().startsWith("auth.anonymous[0].actions[1]: admin"), e.getMessage());
  }
}
