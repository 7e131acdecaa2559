package io.portcullis.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.AccessRule.Action;
import io.portcullis.gateway.config.AccessRule.Effect;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code auth:} section: its documented shape, and one-line errors that name the key. */
class AuthConfigTest {
  @TempDir Path dir;
  Path htpasswd;

  @BeforeEach
  void users() throws IOException {
    String hash =
        OpenBSDBCrypt.generate("pw".toCharArray(), new SecureRandom().generateSeed(16), 4);
    htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + hash + "\nbob:" + hash + "\n");
  }

  @Test
  void readsTheDocumentedShape() {
    AuthConfig a =
        auth(
            """
            auth:
              tokenKeyFile: %s/token-key.pem
              tokenTtl: 10m
              htpasswdFile: %s
              anonymous: [{repositories: ["docker.io/**"], actions: [pull]}]
              roles:
                reader: [{repositories: ["**"], actions: [pull]}]
                team-a-dev:
                  - {repositories: ["team-a/**"], actions: [pull, push]}
                  - {repositories: ["team-a/secret/**"], actions: ["*"], effect: deny}
              users: {alice: [reader], bob: [team-a-dev]}
              robots: {file: %s/robots.json}
              oidc:
                - issuer: https://token.actions.example.com
                  audience: portcullis
                  jwksUrl: https://token.actions.example.com/.well-known/jwks
                  rules: [{claims: {repository: org/app}, roles: [team-a-dev]}]
            """
                .formatted(dir, htpasswd, dir));
    assertEquals(dir.resolve("token-key.pem"), a.tokenKeyFile());
    assertEquals(Duration.ofMinutes(10), a.tokenTtl());
    assertEquals(Duration.ofHours(24), a.refreshTokenTtl());
    assertEquals(Optional.of(htpasswd), a.htpasswdFile());
    assertEquals(Set.of(Action.PULL), a.anonymous().get(0).actions());
    assertTrue(a.anonymous().get(0).covers("docker.io/library/alpine"));
    AccessRule deny = a.roles().get("team-a-dev").get(1);
    assertEquals(Effect.DENY, deny.effect());
    assertEquals(Set.of(Action.values()), deny.actions());
    assertEquals(Map.of("alice", List.of("reader"), "bob", List.of("team-a-dev")), a.users());
    assertEquals(new RobotsConfig(dir.resolve("robots.json")), a.robots().orElseThrow());
    OidcConfig o = a.oidc().get(0);
    assertEquals("portcullis", o.audience());
    assertEquals(
        Optional.of(URI.create("https://token.actions.example.com/.well-known/jwks")), o.jwksUrl());
    assertEquals(
        new OidcRule(Map.of("repository", "org/app"), List.of("team-a-dev")), o.rules().get(0));
  }

  @Test
  void quotasWithRoleOverridesThatInheritWhatTheyDoNotSet() {
    AuthConfig a =
        auth(
            """
            auth:
              roles: {ci: [{repositories: ["**"], actions: [pull]}]}
              quotas:
                requestsPerSecond: 20
                burst: 40
                concurrentTransfers: 4
                roles: {ci: {concurrentTransfers: 16}}
                users: {"robot$ci-a": {requestsPerSecond: 100}}
            """);
    assertEquals(new QuotaConfig.Limits(20, 40, 4), a.quotas().defaults());
    assertEquals(new QuotaConfig.Limits(20, 40, 16), a.quotas().roles().get("ci"));
    assertEquals(
        new QuotaConfig.Limits(100, 100, 4),
        a.quotas().users().get("robot$ci-a"),
        "a rate without a burst: one second's worth");
    AuthConfig rateOnly = auth("auth: {quotas: {requestsPerSecond: 2.5}}\n");
    assertEquals(
        new QuotaConfig.Limits(2.5, 3, Integer.MAX_VALUE),
        rateOnly.quotas().defaults(),
        "burst defaults to one second's worth");
    assertEquals(QuotaConfig.NONE, auth("auth: {}\n").quotas());
  }

  @Test
  void failedLoginsAreLimitedByDefaultAndTheLimitsCanBeChanged() {
    assertEquals(FailedLoginConfig.DEFAULTS, auth("auth: {}\n").failedLogins());
    assertEquals(new FailedLoginConfig(10, 5, Duration.ofMinutes(1)), FailedLoginConfig.DEFAULTS);
    AuthConfig a =
        auth("auth: {quotas: {failedLogins: {perAddress: 50, perUser: 3, window: 5m}}}\n");
    assertEquals(new FailedLoginConfig(50, 3, Duration.ofMinutes(5)), a.failedLogins());
    assertEquals(QuotaConfig.NONE, a.quotas(), "no per-identity limits come with it");
    assertEquals(
        new FailedLoginConfig(10, 20, Duration.ofMinutes(1)),
        auth("auth: {quotas: {failedLogins: {perUser: 20}}}\n").failedLogins(),
        "unset keys keep their defaults");
  }

  @Test
  void defaultsPutTheKeyInDataDirAndNoAnonymousAccess() {
    AuthConfig a = auth("dataDir: " + dir + "\nauth: {}\n");
    assertEquals(dir.resolve("token-key.pem"), a.tokenKeyFile());
    assertEquals(Duration.ofMinutes(5), a.tokenTtl());
    assertEquals(List.of(), a.anonymous());
    assertTrue(a.htpasswdFile().isEmpty());
  }

  @Test
  void withoutAnAuthSectionThereIsNone() {
    assertTrue(parse("upstreams: [{name: a, url: 'http://x'}]\n").auth().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown key | 'auth: {tokenTTL: 5m}' | auth.tokenTTL: unknown key 'tokenTTL'",
        "unknown role in users | 'auth: {htpasswdFile: HT, roles: {reader: [{repositories: [\"**\"], actions: [pull]}]}, users: {alice: [writer]}}' | auth.users.alice[0]: unknown role 'writer'",
        "unknown action | 'auth: {roles: {r: [{repositories: [\"**\"], actions: [pull, fetch]}]}}' | auth.roles.r[0].actions[1]: unknown action 'fetch'",
        "bad glob | 'auth: {roles: {r: [{repositories: [\"team/**x\"], actions: [pull]}]}}' | auth.roles.r[0].repositories[0]: 'team/**x': '**' must be a whole path segment",
        "uppercase glob | 'auth: {anonymous: [{repositories: [\"Team/*\"], actions: [pull]}]}' | auth.anonymous[0].repositories[0]: 'Team/*' has characters",
        "no repositories | 'auth: {anonymous: [{actions: [pull]}]}' | auth.anonymous[0].repositories: at least one glob",
        "no actions | 'auth: {anonymous: [{repositories: [\"**\"]}]}' | auth.anonymous[0].actions: at least one of",
        "bad effect | 'auth: {roles: {r: [{repositories: [\"**\"], actions: [pull], effect: maybe}]}}' | auth.roles.r[0].effect: 'maybe' is not allow or deny",
        "unreadable htpasswd | 'auth: {htpasswdFile: /nonexistent/htpasswd}' | auth.htpasswdFile: cannot read /nonexistent/htpasswd",
        "users without htpasswd | 'auth: {users: {alice: []}}' | auth.users: needs auth.htpasswdFile",
        "user not in htpasswd | 'auth: {htpasswdFile: HT, users: {carol: []}}' | auth.users.carol: no such user in",
        "bad ttl | 'auth: {tokenTtl: soon}' | auth.tokenTtl: 'soon' is not a duration",
        "ttl too short | 'auth: {tokenTtl: 1s}' | auth.tokenTtl: must be between 30s and 30d",
        "robots without file | 'auth: {robots: {}}' | auth.robots: needs file (a robots file) or store: state",
        "robots file and store | 'auth: {robots: {file: r.json, store: state}}' | auth.robots: set file (a robots file, one node) or store: state (shared by every replica), not both",
        "robots unknown store | 'auth: {robots: {store: redis}}' | auth.robots.store: 'redis' is not a store; the only one is 'state' (PostgreSQL)",
        "robots store without state | 'auth: {robots: {store: state}}' | auth.robots.store: 'state' needs the state section (state.postgres) to keep them in",
        "oidc without audience | 'auth: {oidc: [{issuer: \"https://ci\", rules: []}]}' | auth.oidc[0].audience: is required",
        "oidc bad issuer | 'auth: {oidc: [{issuer: \"ci\", audience: a}]}' | auth.oidc[0].issuer: 'ci' is not an http(s) URL",
        "quota rate zero | 'auth: {quotas: {requestsPerSecond: 0}}' | auth.quotas.requestsPerSecond: 0.0 must be more than 0",
        "quota burst zero | 'auth: {quotas: {requestsPerSecond: 5, burst: 0}}' | auth.quotas.burst: 0 must be at least 1",
        "quota burst alone | 'auth: {quotas: {burst: 5}}' | auth.quotas.burst: needs requestsPerSecond beside it",
        "quota transfers | 'auth: {quotas: {concurrentTransfers: -1}}' | auth.quotas.concurrentTransfers: -1 must be at least 1",
        "quota not a number | 'auth: {quotas: {requestsPerSecond: lots}}' | auth.quotas.requestsPerSecond:",
        "quota unknown key | 'auth: {quotas: {rps: 5}}' | auth.quotas.rps: unknown key 'rps'",
        "quota unknown role | 'auth: {quotas: {roles: {ghost: {burst: 1}}}}' | auth.quotas.roles.ghost: unknown role 'ghost'",
        "quota user empty | 'auth: {quotas: {users: {alice: }}}' | auth.quotas.users.alice: needs at least one of",
        "quota role bad | 'auth: {roles: {r: [{repositories: [\"**\"], actions: [pull]}]}, quotas: {roles: {r: {concurrentTransfers: 0}}}}' | auth.quotas.roles.r.concurrentTransfers: 0 must be at least 1",
        "failed logins zero | 'auth: {quotas: {failedLogins: {perAddress: 0}}}' | auth.quotas.failedLogins.perAddress: 0 must be between 1 and 1000000",
        "failed logins user | 'auth: {quotas: {failedLogins: {perUser: -2}}}' | auth.quotas.failedLogins.perUser: -2 must be between 1 and 1000000",
        "failed logins window | 'auth: {quotas: {failedLogins: {window: 0s}}}' | auth.quotas.failedLogins.window: must be between 1s and 1d",
        "failed logins bad window | 'auth: {quotas: {failedLogins: {window: later}}}' | auth.quotas.failedLogins.window: 'later' is not a duration",
        "failed logins unknown key | 'auth: {quotas: {failedLogins: {perIp: 5}}}' | auth.quotas.failedLogins.perIp: unknown key 'perIp'",
        "oidc unknown role | 'auth: {oidc: [{issuer: \"https://ci\", audience: a, rules: [{claims: {a: b}, roles: [x]}]}]}' | auth.oidc[0].rules[0].roles[0]: unknown role 'x'",
      })
  void refusesBadAuthConfigWithAOneLineMessageNamingTheKey(
      String what, String yaml, String expected) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                parse(
                    "upstreams: [{name: a, url: 'http://x'}]\ndataDir: "
                        + dir
                        + "\n"
                        + yaml.replace("HT", htpasswd.toString())));
    assertTrue(e.getMessage().startsWith(expected), () -> what + ": got '" + e.getMessage() + "'");
    assertFalse(e.getMessage().contains("\n"), "one line");
  }

  @Test
  void malformedHtpasswdIsRefusedWithoutEchoingIt() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad-htpasswd"), "alice:plaintext-secret\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> auth("auth: {htpasswdFile: " + bad + "}\n"));
    assertTrue(e.getMessage().startsWith("auth.htpasswdFile: " + bad + " line 1"), e.getMessage());
    assertFalse(e.getMessage().contains("plaintext-secret"));
  }

  @Test
  void reservedUserNamesAreRefused() throws IOException {
    String hash =
        OpenBSDBCrypt.generate("pw".toCharArray(), new SecureRandom().generateSeed(16), 4);
    Path ht = Files.writeString(dir.resolve("ht2"), "robot$ci:" + hash + "\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> auth("auth: {htpasswdFile: " + ht + "}\n"));
    assertTrue(e.getMessage().startsWith("auth.htpasswdFile: user 'robot$ci' is reserved"));
  }

  @Test
  void aKeyFileThatIsNoKeyIsRefusedWithoutEchoingIt() throws IOException {
    Path key = Files.writeString(dir.resolve("key.pem"), "secret-garbage");
    ConfigException e =
        assertThrows(ConfigException.class, () -> auth("auth: {tokenKeyFile: " + key + "}\n"));
    assertTrue(
        e.getMessage().startsWith("auth.tokenKeyFile: " + key + " is not a PEM EC P-256"),
        e.getMessage());
    assertFalse(e.getMessage().contains("secret-garbage"));
  }

  private AuthConfig auth(String yaml) {
    return parse("upstreams: [{name: a, url: 'http://x'}]\n" + yaml).auth().orElseThrow();
  }

  private static GatewayConfig parse(String yaml) {
    return ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test");
  }
}
