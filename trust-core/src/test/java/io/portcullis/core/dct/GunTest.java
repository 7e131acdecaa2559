package io.portcullis.core.dct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** GUNs as {@code docker trust sign} names them, and by a trust store's template. */
class GunTest {
  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
    "registry.corp:5000, team/app, {host}/{repository}, registry.corp:5000/team/app",
    "Registry.Corp, team/app, {host}/{repository}, registry.corp/team/app",
    "registry-1.docker.io, alpine, {host}/{repository}, docker.io/library/alpine",
    "index.docker.io, grafana/grafana, {host}/{repository}, docker.io/grafana/grafana",
    "docker.io, alpine, {host}/{repository}, docker.io/library/alpine",
    "registry.corp, team/app, notary.corp/{repository}, notary.corp/team/app",
  })
  void namesAsDockerDoes(String host, String repository, String template, String gun) {
    assertEquals(gun, Gun.of(host, repository, template).value());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{host}/{repo}", "{registry}/{repository}"})
  void unknownPlaceholdersAreRefused(String template) {
    assertThrows(IllegalArgumentException.class, () -> Gun.of("r", "a/b", template));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/a", "a/", "a//b", "a/../b", "a b", "a?b", "a%2fb"})
  void malformedNamesAreRefused(String value) {
    assertThrows(IllegalArgumentException.class, () -> new Gun(value));
  }
}
