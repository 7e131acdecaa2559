package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.RepositoryName;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamRouterTest {
  private static Vertx vertx;
  private static UpstreamRouter router;

  /** A gateway behind docker's {@code registry-mirrors}: bare names are Docker Hub's. */
  private static UpstreamRouter mirror;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    GatewayConfig config =
        ConfigLoader.parse(
            """
            upstreams:
              - {name: hub, url: 'https://registry-1.docker.io', prefix: docker.io}
              - {name: team, url: 'http://127.0.0.1:1', prefix: docker.io/team}
              - {name: ghcr, url: 'https://ghcr.io', prefix: ghcr.io}
              - {name: internal, url: 'http://127.0.0.1:2', prefix: ''}
            """
                .getBytes(StandardCharsets.UTF_8),
            "test");
    router = router(config);
    mirror =
        router(
            ConfigLoader.parse(
                """
                routing: {unprefixed: docker.io}
                upstreams:
                  - {name: hub, url: 'https://registry-1.docker.io', prefix: docker.io}
                  - {name: team, url: 'http://127.0.0.1:1', prefix: docker.io/team}
                  - {name: ghcr, url: 'https://ghcr.io', prefix: ghcr.io}
                """
                    .getBytes(StandardCharsets.UTF_8),
                "test"));
  }

  private static UpstreamRouter router(GatewayConfig config) {
    return new UpstreamRouter(
        config.upstreams().stream().map(u -> new Upstream(vertx, u)).toList());
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  @ParameterizedTest(name = "{0} (ns={1}) -> {2}:{3}")
  @CsvSource({
    "docker.io/library/alpine, , hub, library/alpine",
    "docker.io/alpine, , hub, library/alpine",
    "docker.io/team/app, , team, app",
    "docker.io/teamx/app, , hub, teamx/app",
    "ghcr.io/acme/tool, , ghcr, acme/tool",
    "ghcr.io/tool, , ghcr, tool",
    "team-a/app, , internal, team-a/app",
    "docker.io, , internal, docker.io",
    "library/alpine, docker.io, hub, library/alpine",
    "alpine, docker.io, hub, library/alpine",
    "acme/tool, ghcr.io, ghcr, acme/tool",
    "acme/tool, unknown.io, internal, acme/tool",
    "team/app, docker.io, team, app",
  })
  void picksTheLongestPrefix(String name, String ns, String upstream, String upstreamName) {
    UpstreamRoute r = router.route(RepositoryName.of(name), ns).orElseThrow();
    assertEquals(upstream, r.upstream().config().name());
    assertEquals(upstreamName, r.upstreamName());
    assertEquals(name, r.gatewayName().value());
  }

  @ParameterizedTest(name = "{0} (ns={1}) is {2} to policies")
  @CsvSource({
    "docker.io/library/alpine, , docker.io/library/alpine",
    "library/alpine, docker.io, docker.io/library/alpine",
    "alpine, docker.io, docker.io/library/alpine",
    "docker.io/alpine, , docker.io/library/alpine",
    "docker.io/team/app, , docker.io/team/app",
    "acme/tool, ghcr.io, ghcr.io/acme/tool",
    "team-a/app, , team-a/app",
    "acme/tool, unknown.io, acme/tool",
    "team/app, docker.io, docker.io/team/app",
  })
  void everySpellingOfARepositoryHasOneCanonicalName(String name, String ns, String canonical) {
    assertEquals(
        canonical, router.route(RepositoryName.of(name), ns).orElseThrow().canonicalName());
  }

  /**
   * docker's {@code registry-mirrors} send {@code library/alpine} with no {@code ns}: under {@code
   * routing.unprefixed: docker.io} it is the repository {@code docker.io/library/alpine} is, on the
   * same upstream under the same canonical name, so a policy or access rule on {@code docker.io/**}
   * holds whichever way it is spelled.
   */
  @ParameterizedTest(name = "{0} (ns={1}) -> {2}:{3} as {4}")
  @CsvSource({
    "library/alpine, , hub, library/alpine, docker.io/library/alpine",
    "alpine, , hub, library/alpine, docker.io/library/alpine",
    "docker.io/library/alpine, , hub, library/alpine, docker.io/library/alpine",
    "docker.io/alpine, , hub, library/alpine, docker.io/library/alpine",
    "library/alpine, docker.io, hub, library/alpine, docker.io/library/alpine",
    "docker.io/library/alpine, docker.io, hub, library/alpine, docker.io/library/alpine",
    "acme/tool, , hub, acme/tool, docker.io/acme/tool",
    "team/app, , team, app, docker.io/team/app",
    "docker.io/team/app, , team, app, docker.io/team/app",
    "ghcr.io/acme/tool, , ghcr, acme/tool, ghcr.io/acme/tool",
    "acme/tool, ghcr.io, ghcr, acme/tool, ghcr.io/acme/tool",
  })
  void unprefixedNamesAreReadUnderTheConfiguredPrefix(
      String name, String ns, String upstream, String upstreamName, String canonical) {
    UpstreamRoute r = mirror.route(RepositoryName.of(name), ns).orElseThrow();
    assertEquals(upstream, r.upstream().config().name());
    assertEquals(upstreamName, r.upstreamName());
    assertEquals(canonical, r.canonicalName());
    assertEquals(name, r.gatewayName().value(), "the client's own name stays in Location headers");
  }

  @org.junit.jupiter.api.Test
  void anNsThatNoUpstreamServesIsNotTakenForTheUnprefixedOne() {
    // containerd mirroring quay.io through this gateway: not Docker Hub's acme/tool
    assertTrue(mirror.route(RepositoryName.of("acme/tool"), "quay.io").isEmpty());
  }

  @org.junit.jupiter.api.Test
  void withoutDefaultRouteUnknownPrefixesHaveNoUpstream() {
    UpstreamRouter onlyHub =
        new UpstreamRouter(
            ConfigLoader.loadDefault().upstreams().stream()
                .map(u -> new Upstream(vertx, u))
                .toList());
    assertTrue(onlyHub.route(RepositoryName.of("team/app"), null).isEmpty());
    assertTrue(onlyHub.route(RepositoryName.of("quay.io/x/y"), null).isPresent());
  }
}
