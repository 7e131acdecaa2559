package io.portcullis.gateway.config;

import io.portcullis.core.registry.Credentials;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One registry behind the gateway, reached for every repository under its path {@code prefix} (the
 * empty prefix is the default route). {@code unprefixed} marks the upstream that {@code
 * routing.unprefixed} names: it also serves the names that start with no configured prefix, read as
 * if they started with its prefix, e.g. docker's {@code registry-mirrors} traffic ({@code
 * library/alpine}), which carries no {@code ns=}. {@code credentials} are read from its {@code
 * credentialsFile} ({@code user:password}, the same rule as the CLI's) and never printed. {@code
 * redirects} says where its redirects may lead ({@link RedirectConfig}).
 */
public record UpstreamConfig(
    String name,
    URI url,
    String prefix,
    Optional<Credentials> credentials,
    Optional<Path> caFile,
    boolean push,
    Duration connectTimeout,
    Duration readTimeout,
    Duration tagTtl,
    boolean unprefixed,
    RedirectConfig redirects) {

  /** An upstream with the default redirect rules and no other upstream beside it. */
  public UpstreamConfig(
      String name,
      URI url,
      String prefix,
      Optional<Credentials> credentials,
      Optional<Path> caFile,
      boolean push,
      Duration connectTimeout,
      Duration readTimeout,
      Duration tagTtl,
      boolean unprefixed) {
    this(
        name,
        url,
        prefix,
        credentials,
        caFile,
        push,
        connectTimeout,
        readTimeout,
        tagTtl,
        unprefixed,
        RedirectConfig.DEFAULT);
  }

  /** This upstream, with {@code others} as the other upstreams its redirects must not reach. */
  public UpstreamConfig withOtherUpstreams(List<URI> others) {
    return new UpstreamConfig(
        name,
        url,
        prefix,
        credentials,
        caFile,
        push,
        connectTimeout,
        readTimeout,
        tagTtl,
        unprefixed,
        redirects.withOtherUpstreams(others));
  }

  /** How long a cached tag is trusted before it is revalidated upstream: 5 minutes by default. */
  public static final Duration DEFAULT_TAG_TTL = Duration.ofMinutes(5);

  private static final Set<String> DOCKER_HUB_HOSTS =
      Set.of("registry-1.docker.io", "index.docker.io", "docker.io", "registry.hub.docker.com");

  /** Docker Hub keeps official images under {@code library/}: one-segment names get it added. */
  public boolean isDockerHub() {
    return DOCKER_HUB_HOSTS.contains(url.getHost());
  }

  public boolean tls() {
    return "https".equals(url.getScheme());
  }

  public int port() {
    if (url.getPort() > 0) {
      return url.getPort();
    }
    return tls() ? 443 : 80;
  }
}
