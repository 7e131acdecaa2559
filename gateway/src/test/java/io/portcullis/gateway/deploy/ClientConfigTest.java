package io.portcullis.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.UpstreamConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The client configurations shipped under {@code deploy/clients/} parse as their clients read them
 * and make the gateway the only path: every registry they name is sent to the gateway, under the
 * path prefix of the gateway upstream that serves that very registry, with no mirror that would let
 * the client retry the origin after a denial. No containerd or docker daemon runs here; podman
 * reads the same registries.conf in {@code PodmanIT}.
 */
class ClientConfigTest {
  static final String GATEWAY = "gateway.example.com:5000";
  static final Path CLIENTS = ComposeFileTest.ROOT.resolve("deploy/clients");
  static final TomlMapper TOML = new TomlMapper();

  /** The embedded defaults: docker.io, ghcr.io and quay.io by prefix, each at its origin. */
  static final Map<String, URI> ORIGIN_BY_PREFIX =
      ConfigLoader.loadDefault().upstreams().stream()
          .collect(Collectors.toMap(UpstreamConfig::prefix, UpstreamConfig::url));

  @Test
  void registriesConfRewritesEveryRegistryToTheGatewayWithoutMirrors() throws IOException {
    JsonNode conf = TOML.readTree(CLIENTS.resolve("registries.conf").toFile());
    List<String> rewritten = new ArrayList<>();
    for (JsonNode r : conf.path("registry")) {
      String location = r.path("location").asText();
      String prefix = r.path("prefix").asText(location);
      assertTrue(
          location.equals(GATEWAY) || location.startsWith(GATEWAY + "/"),
          prefix + " is pulled from the gateway, not from " + location);
      assertTrue(r.path("mirror").isMissingNode(), prefix + ": a mirror falls back to the origin");
      assertFalse(r.path("blocked").asBoolean(), prefix + " must stay pullable");
      assertFalse(r.path("insecure").asBoolean(), prefix + ": TLS is verified unless changed");
      String path = location.equals(GATEWAY) ? "" : location.substring(GATEWAY.length() + 1);
      if (ORIGIN_BY_PREFIX.containsKey(path)) {
        assertEquals(
            "docker.io".equals(prefix) ? "registry-1.docker.io" : prefix,
            ORIGIN_BY_PREFIX.get(path).getHost(),
            prefix + " must land on the gateway upstream that serves " + prefix);
      } else {
        assertTrue(
            path.isEmpty(), prefix + " goes to a gateway prefix no default upstream has: " + path);
      }
      if (!prefix.equals(GATEWAY)) {
        rewritten.add(prefix);
      }
    }
    assertEquals(
        List.of("docker.io", "ghcr.io", "quay.io", "registry.example.com"),
        rewritten.stream().sorted().toList());
    for (JsonNode search : conf.path("unqualified-search-registries")) {
      assertTrue(
          rewritten.contains(search.asText()),
          "short names resolve under a rewritten registry, not " + search.asText());
    }
    assertEquals("enforcing", conf.path("short-name-mode").asText());
  }

  @Test
  void containerdHostsTomlHasTheGatewayAsServerAndAsItsOnlyHost() throws IOException {
    Path dir = CLIENTS.resolve("containerd/docker.io");
    JsonNode hosts = TOML.readTree(dir.resolve("hosts.toml").toFile());
    // containerd appends `server` after the [host] entries; unset, it is the origin.
    List<String> tried = new ArrayList<>();
    hosts.path("host").fieldNames().forEachRemaining(tried::add);
    assertFalse(tried.isEmpty(), "containerd 1.5/1.6 refuse a hosts.toml without a [host] table");
    tried.add(hosts.path("server").asText());
    for (int i = 0; i < tried.size(); i++) {
      String url = tried.get(i);
      JsonNode host = i < tried.size() - 1 ? hosts.path("host").path(url) : hosts;
      URI u = URI.create(url);
      assertEquals("https", u.getScheme(), url);
      assertEquals(GATEWAY, u.getAuthority(), "every host containerd tries is the gateway");
      assertEquals("/v2/" + dir.getFileName(), apiRoot(u, host), "the gateway's prefix, at " + url);
      assertEquals("gateway-ca.crt", host.path("ca").asText(), url);
      for (JsonNode c : host.path("capabilities")) {
        assertTrue(List.of("pull", "resolve").contains(c.asText()), url + ": " + c);
      }
    }
    assertEquals(
        "registry-1.docker.io", ORIGIN_BY_PREFIX.get(dir.getFileName().toString()).getHost());
  }

  /** The path containerd puts before the repository name, as its hosts.go computes it. */
  private static String apiRoot(URI url, JsonNode host) {
    String path = Path.of(url.getPath().isEmpty() ? "/" : url.getPath()).normalize().toString();
    if (!host.path("override_path").asBoolean() && !path.endsWith("/v2")) {
      path = path.equals("/") ? "/v2" : path + "/v2";
    }
    return path;
  }

  @Test
  void dockerDaemonJsonUsesTheGatewayAsItsOnlyMirror() throws IOException {
    JsonNode daemon = new ObjectMapper().readTree(CLIENTS.resolve("docker/daemon.json").toFile());
    List<String> mirrors = new ArrayList<>();
    daemon.path("registry-mirrors").forEach(m -> mirrors.add(m.asText()));
    assertEquals(List.of("https://" + GATEWAY), mirrors);
    assertTrue(daemon.path("insecure-registries").isMissingNode(), "TLS is verified");
  }
}
