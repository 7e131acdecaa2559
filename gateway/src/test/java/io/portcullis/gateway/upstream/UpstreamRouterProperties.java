package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.oci.RepositoryName;
import io.portcullis.gateway.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of routing that keep a policy scope from being side-stepped by spelling: the canonical
 * name of any route is itself a spelling of that route, and a bare name under {@code
 * routing.unprefixed} or containerd's {@code ns} is the same repository as the name with the prefix
 * written out.
 */
class UpstreamRouterProperties {
  private static Vertx vertx;
  private static UpstreamRouter byPrefix;
  private static UpstreamRouter mirror;

  @BeforeContainer
  static void setUp() {
    vertx = Vertx.vertx();
    String upstreams =
        """
        upstreams:
          - {name: hub, url: 'https://registry-1.docker.io', prefix: docker.io}
          - {name: team, url: 'http://127.0.0.1:1', prefix: docker.io/team}
          - {name: ghcr, url: 'https://ghcr.io', prefix: ghcr.io}
        """;
    byPrefix = router(upstreams + "  - {name: internal, url: 'http://127.0.0.1:2', prefix: ''}\n");
    mirror = router("routing: {unprefixed: docker.io}\n" + upstreams);
  }

  private static UpstreamRouter router(String yaml) {
    return new UpstreamRouter(
        ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test").upstreams().stream()
            .map(u -> new Upstream(vertx, u))
            .toList());
  }

  @AfterContainer
  static void tearDown() {
    vertx.close().await();
  }

  @Property
  void theCanonicalNameRoutesToItself(@ForAll("names") String name, @ForAll("ns") String ns) {
    for (UpstreamRouter router : List.of(byPrefix, mirror)) {
      router
          .route(RepositoryName.of(name), ns)
          .ifPresent(
              r -> {
                UpstreamRoute again =
                    router.route(RepositoryName.of(r.canonicalName()), null).orElseThrow();
                assertEquals(r.upstream(), again.upstream(), name);
                assertEquals(r.upstreamName(), again.upstreamName(), name);
                assertEquals(r.canonicalName(), again.canonicalName(), name);
              });
    }
  }

  @Property
  void aBareNameIsTheNameUnderItsRegistrysPrefix(@ForAll("bare") String name) {
    UpstreamRoute written =
        mirror.route(RepositoryName.of("docker.io/" + name), null).orElseThrow();
    for (UpstreamRoute r :
        List.of(
            mirror.route(RepositoryName.of(name), null).orElseThrow(),
            mirror.route(RepositoryName.of(name), "docker.io").orElseThrow(),
            byPrefix.route(RepositoryName.of(name), "docker.io").orElseThrow())) {
      assertEquals(written.upstream().config().name(), r.upstream().config().name(), name);
      assertEquals(written.upstreamName(), r.upstreamName(), name);
      assertEquals(written.canonicalName(), r.canonicalName(), name);
    }
  }

  /** Names as Docker Hub has them: lowercase segments, no registry host in front. */
  @Provide
  Arbitrary<String> bare() {
    Arbitrary<String> segment =
        Arbitraries.oneOf(
            Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(8),
            Arbitraries.of("library", "team", "docker.io", "ghcr.io"));
    // A registry host in front makes it a prefixed name, not a bare one.
    return segment
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .filter(s -> !s.get(0).contains("."))
        .map(s -> String.join("/", s));
  }

  /** Bare names, and names that begin with a configured prefix or part of one. */
  @Provide
  Arbitrary<String> names() {
    return Arbitraries.oneOf(
        bare(),
        Arbitraries.of("docker.io", "docker.io/team", "ghcr.io", "docker.io/library")
            .flatMap(p -> bare().map(b -> p + "/" + b)));
  }

  @Provide
  Arbitrary<String> ns() {
    return Arbitraries.of("", "docker.io", "ghcr.io", "quay.io");
  }
}
