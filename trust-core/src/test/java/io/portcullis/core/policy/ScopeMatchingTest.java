package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Globs and "most specific wins", over a policy whose scopes overlap on purpose. */
class ScopeMatchingTest {
  @TempDir static Path dir;

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
    "**, a, true",
    "**, a/b/c, true",
    "*, a, true",
    "*, a/b, false",
    "team/*, team/app, true",
    "team/*, team/app/sub, false",
    "team/*, team, false",
    "team/**, team, true",
    "team/**, team/app/sub, true",
    "team/**, teams/app, false",
    "**/app, app, true",
    "**/app, x/y/app, true",
    "**/app, x/y/apps, false",
    "a/**/b, a/b, true",
    "a/**/b, a/x/y/b, true",
    "a/**/b, a/x/c, false",
    "team/app-*, team/app-preview, true",
    "team/app-*, team/api-preview, false",
    "docker.io/library/*, docker.io/library/nginx, true",
    "docker.io/library/*, docker.io/bitnami/nginx, false",
    "localhost:5000/x, localhost:5000/x, true",
    "a.b, axb, false",
  })
  void globMatches(String glob, String repository, boolean matches) {
    assertEquals(matches, ScopePattern.parse(glob).matches(repository));
  }

  private static final String POLICY =
      """
      version: 1
      policies:
        - {name: default, scopes: ['**']}
        - {name: team, scopes: ['team/**']}
        - {name: team-direct, scopes: ['team/*']}
        - {name: team-app, scopes: ['team/app']}
        - {name: previews, scopes: ['team/*-preview', '**/preview']}
        - {name: library, scopes: ['docker.io/library/*']}
        - {name: a-first, scopes: ['x/*/z']}
        - {name: a-second, scopes: ['x/y/*']}
      """;

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "anything, default",
    "other/deep/path, default",
    "team, team",
    "team/sub/deep, team",
    "team/svc, team-direct",
    "team/app, team-app",
    "team/web-preview, previews",
    "x/preview, previews",
    // "**/preview" has 8 literal characters, "team/*" 5: literal characters count before wildcards
    "team/preview, previews",
    "docker.io/library/nginx, library",
    "docker.io/library/nginx/extra, default",
    // equal specificity (4 literal characters, one '*'): the earlier policy wins
    "x/y/z, a-first",
  })
  void mostSpecificScopeWins(String repository, String policy) {
    TrustPolicy trust =
        TrustPolicyLoader.parse(POLICY.getBytes(java.nio.charset.StandardCharsets.UTF_8), dir, "t");
    assertEquals(Optional.of(policy), trust.policyFor(repository).map(Policy::name));
  }

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource({
    // more literal characters first, then fewer '**', then fewer '*'
    "team/app, team/*",
    "team/*, team/**",
    "team/app-*, team/*",
    "a/*, **",
    "*, **",
  })
  void specificityOrder(String moreSpecific, String lessSpecific) {
    assertEquals(
        -1,
        Integer.signum(
            ScopePattern.MOST_SPECIFIC_FIRST.compare(
                ScopePattern.parse(moreSpecific), ScopePattern.parse(lessSpecific))));
  }

  @org.junit.jupiter.api.Test
  void noMatchingScopeMeansNoPolicy() {
    TrustPolicy trust =
        TrustPolicyLoader.parse(
            "version: 1\npolicies: [{name: p, scopes: ['team/**']}]\n".getBytes(), dir, "t");
    assertEquals(Optional.empty(), trust.policyFor("other/app"));
  }
}
