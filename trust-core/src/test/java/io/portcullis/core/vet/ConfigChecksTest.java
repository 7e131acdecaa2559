package io.portcullis.core.vet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each config rule over small configs: which values pass, which fail, and what the reason says. */
class ConfigChecksTest {
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  private static ImageConfig config(String user, List<String> env) {
    return new ImageConfig(user, env, List.of(), Map.of(), Optional.of(NOW));
  }

  @ParameterizedTest(name = "User ''{0}'' is root: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|true",
        "'   '|true",
        "0|true",
        "00|true",
        "root|true",
        "0:0|true",
        "root:root|true",
        "0:1000|true",
        "root:app|true",
        ":1000|true",
        "1000|false",
        "1000:1000|false",
        "app|false",
        "app:root|false",
        "nobody|false",
        "10|false",
      })
  void nonRootRejectsEveryFormOfRoot(String user, boolean root) {
    Optional<String> problem = ConfigChecks.nonRoot(config(user, List.of()));
    assertEquals(root, problem.isPresent(), user + " -> " + problem);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "AWS_SECRET_ACCESS_KEY|wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY|name contains SECRET",
        "DB_PASSWORD|hunter2-but-longer|name contains PASSWORD",
        "github_token|anything-at-all|name contains TOKEN",
        "STRIPE_API_KEY|sk_live_abcdef|name contains API_KEY",
        "AWS_ACCESS_KEY_ID|AKIAIOSFODNN7EXAMPLE|AWS access key",
        "TLS_KEY|-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEA|private key",
        "TLS_KEY2|-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg|private key",
        "GH|ghp_1234567890abcdefghijABCDEFGHIJ123456|GitHub token",
        "GH2|github_pat_11ABCDEFG0123456789_abcdefghijklmnop|GitHub token",
        "GL|glpat-abcdefghij0123456789xy|GitLab token",
        "AUTH|eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLWhlcmU|JWT",
      })
  void secretsAreFoundByNameOrValueAndOnlyTheNameIsReported(String name, String value, String why) {
    List<String> found = ConfigChecks.secretsInEnv(config("1000", List.of(name + "=" + value)));
    assertEquals(1, found.size(), found.toString());
    assertTrue(found.get(0).startsWith(name + " ("), found.toString());
    assertTrue(found.get(0).contains(why), found.toString());
    assertFalse(found.get(0).contains(value), "the value must never be echoed: " + found);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "PATH|/usr/local/sbin:/usr/local/bin:/usr/bin",
        "JAVA_HOME|/opt/java",
        "LANG|C.UTF-8",
        "AKIA_DOCS|see the wiki",
        "EMPTY|''",
        "GREETING|eyJ is how a JWT starts",
      })
  void ordinaryVariablesPass(String name, String value) {
    assertEquals(List.of(), ConfigChecks.secretsInEnv(config("1000", List.of(name + "=" + value))));
  }

  @ParameterizedTest(name = "{0} against [8080, 8443]")
  @CsvSource(
      delimiter = '|',
      value = {"8080/tcp|''", "8443/tcp|''", "22/tcp|22/tcp", "8080/udp|''", "http/tcp|http/tcp"})
  void portsOutsideTheListFail(String port, String bad) {
    ImageConfig c = new ImageConfig("1000", List.of(), List.of(port), Map.of(), Optional.empty());
    List<String> expected = bad.isEmpty() ? List.of() : List.of(bad);
    assertEquals(expected, ConfigChecks.disallowedPorts(c, List.of(8080, 8443)));
  }

  @ParameterizedTest(name = "labels {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "org.opencontainers.image.source=https://git.example/app|''",
        "org.opencontainers.image.source=|org.opencontainers.image.source",
        "other=x|org.opencontainers.image.source",
      })
  void requiredLabelsMustBePresentAndNonEmpty(String label, String missing) {
    String[] kv = label.split("=", 2);
    ImageConfig c =
        new ImageConfig("1000", List.of(), List.of(), Map.of(kv[0], kv[1]), Optional.empty());
    List<String> expected = missing.isEmpty() ? List.of() : List.of(missing);
    assertEquals(
        expected, ConfigChecks.missingLabels(c, List.of("org.opencontainers.image.source")));
  }

  @ParameterizedTest(name = "created {0} with maxAge 180d: too old {1}")
  @CsvSource({
    "2026-05-31T00:00:00Z,false",
    "2025-12-04T00:00:00Z,false",
    "2025-12-02T00:00:00Z,true"
  })
  void maxAgeComparesCreatedWithNow(String created, boolean tooOld) {
    ImageConfig c =
        new ImageConfig(
            "1000", List.of(), List.of(), Map.of(), Optional.of(Instant.parse(created)));
    Optional<String> problem = ConfigChecks.tooOld(c, Duration.ofDays(180), NOW);
    assertEquals(tooOld, problem.isPresent(), problem.toString());
  }

  @org.junit.jupiter.api.Test
  void missingCreatedIsTooOldBecauseItsAgeIsUnknown() {
    ImageConfig c =
        ImageConfig.parse(
            "{\"config\":{\"User\":\"1000\",\"Env\":[\"A=b\"],\"ExposedPorts\":{\"80/tcp\":{}}}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("1000", c.user());
    assertEquals(List.of("80/tcp"), c.exposedPorts());
    assertTrue(ConfigChecks.tooOld(c, Duration.ofDays(1), NOW).get().contains("unknown"));
  }
}
