package io.portcullis.core.tuf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Delegation path patterns match segment by segment, as python-tuf matches them. */
class DelegatedRoleTest {
  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
    "registry.npmjs.org/*, registry.npmjs.org/keys.json, true",
    "registry.npmjs.org/*, registry.npmjs.org/a/keys.json, false",
    "registry.npmjs.org/*, other/keys.json, false",
    "*.txt, file.txt, true",
    "*.txt, dir/file.txt, false",
    "dir/?.txt, dir/a.txt, true",
    "dir/?.txt, dir/ab.txt, false",
    "a.b/c, aXb/c, false",
  })
  void pathPatterns(String pattern, String target, boolean matches) {
    assertEquals(matches, DelegatedRole.matches(pattern, target));
  }
}
