package io.portcullis.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code upstreams[].redirects}: the allow-list, its matching, and the other upstreams' URLs. */
class RedirectConfigTest {

  @ParameterizedTest(name = "{0} allows {1}: {2}")
  @CsvSource({
    "production.cloudflare.docker.com, production.cloudflare.docker.com, true",
    "production.cloudflare.docker.com, PRODUCTION.Cloudflare.Docker.Com., true",
    "production.cloudflare.docker.com, evil.cloudflare.docker.com, false",
    "production.cloudflare.docker.com, production.cloudflare.docker.com.evil.net, false",
    "*.cloudflare.docker.com, production.cloudflare.docker.com, true",
    "*.cloudflare.docker.com, a.b.cloudflare.docker.com, true",
    "*.cloudflare.docker.com, cloudflare.docker.com, false",
    "*.cloudflare.docker.com, evilcloudflare.docker.com, false",
    "*.cloudflare.docker.com, cloudflare.docker.com.evil.net, false",
    "*.CloudFlare.docker.com., X.cloudflare.docker.com, true",
    "pkg-containers.githubusercontent.com, pkg-containers.githubusercontent.com, true",
    "pkg-containers.githubusercontent.com, objects.githubusercontent.com, false",
  })
  void matchesExactNamesAndSuffixes(String entry, String host, boolean allowed) {
    assertEquals(allowed, new RedirectConfig(Optional.of(List.of(entry)), List.of()).allows(host));
  }

  @Test
  void noListAllowsAnyHostAndAnEmptyListNone() {
    assertEquals(true, RedirectConfig.DEFAULT.allows("cdn.example.net"));
    assertEquals(false, new RedirectConfig(Optional.of(List.of()), List.of()).allows("x.net"));
  }

  @Test
  void theLoaderReadsTheListAndGivesEachUpstreamTheOthersUrls() {
    GatewayConfig config =
        parse(
            "upstreams:\n"
                + "  - {name: hub, url: 'https://registry-1.docker.io', prefix: docker.io,\n"
                + "     redirects: {allowHosts: ['*.cloudflare.docker.com']}}\n"
                + "  - {name: private, url: 'http://10.0.0.5:5000', prefix: team}\n");
    UpstreamConfig hub = config.upstreams().get(0);
    UpstreamConfig priv = config.upstreams().get(1);
    assertEquals(Optional.of(List.of("*.cloudflare.docker.com")), hub.redirects().allowHosts());
    assertEquals(List.of(URI.create("http://10.0.0.5:5000")), hub.redirects().otherUpstreams());
    assertEquals(Optional.empty(), priv.redirects().allowHosts());
    assertEquals(
        List.of(URI.create("https://registry-1.docker.io")), priv.redirects().otherUpstreams());
  }

  @ParameterizedTest(name = "entry [{0}]")
  @CsvSource(
      delimiter = '|',
      value = {
        "https://cdn.example.net",
        "cdn.example.net:443",
        "cdn.example.net/path",
        "*",
        "*.",
        "a.*.example.net",
        "''",
      })
  void refusesAnEntryThatIsNotAHostOrSuffix(String entry) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                parse(
                    "upstreams: [{name: a, url: 'https://x', redirects: {allowHosts: ['"
                        + entry
                        + "']}}]"));
    assertEquals(
        "upstreams[0].redirects.allowHosts[0]: '"
            + entry
            + "' is not a host name or *.suffix (e.g. production.cloudflare.docker.com,"
            + " *.cloudflare.docker.com)",
        e.getMessage());
  }

  private static GatewayConfig parse(String yaml) {
    return ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test");
  }
}
