package io.portcullis.gateway.deploy;

import static io.portcullis.gateway.deploy.ComposeFileTest.ROOT;
import static io.portcullis.gateway.deploy.ComposeFileTest.compose;
import static io.portcullis.gateway.deploy.ComposeFileTest.gatewayConfig;
import static io.portcullis.gateway.deploy.ComposeFileTest.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Holds the {@code fleet} profile of {@code docker-compose.yml} (issue #15) together with the files
 * it mounts, read as data (no Docker daemon here): {@code deploy/haproxy.cfg} and {@code
 * deploy/gateway-fleet.yaml} name the same services, ports and files as the compose file does.
 * {@code FleetIT} runs the same haproxy.cfg in front of real replicas; {@code ComposeFileTest}
 * holds every service's hardening.
 */
class FleetComposeTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<String> FLEET =
      List.of("haproxy", "gateway-1", "gateway-2", "postgres");
  private static final Pattern SERVER =
      Pattern.compile("^\\s*server\\s+(\\S+)\\s+([^:\\s]+):(\\d+)(.*)$", Pattern.MULTILINE);

  static JsonNode fleetConfig() throws IOException {
    return YAML.readTree(ROOT.resolve("deploy/gateway-fleet.yaml").toFile());
  }

  /** deploy/haproxy.cfg without its comments: the directives HAProxy reads. */
  static String haproxyCfg() throws IOException {
    return Files.readString(ROOT.resolve("deploy/haproxy.cfg")).replaceAll("(?m)\\s*#.*$", "");
  }

  @Test
  void onlyTheSingleGatewayAndItsRegistryRunWithoutTheProfile() throws IOException {
    List<String> unprofiled = new ArrayList<>();
    compose()
        .path("services")
        .properties()
        .forEach(
            e -> {
              if (e.getValue().has("profiles")) {
                assertEquals(List.of("fleet"), strings(e.getValue().path("profiles")), e.getKey());
              } else {
                unprofiled.add(e.getKey());
              }
            });
    assertEquals(List.of("gateway", "registry"), unprofiled);
    for (String name : FLEET) {
      assertTrue(compose().path("services").has(name), name + " is in the fleet profile");
    }
  }

  /** The replicas' config is the single gateway's, plus the shared state and their public URL. */
  @Test
  void theReplicaConfigIsTheSingleGatewaysPlusTheSharedState() throws IOException {
    ObjectNode fleet = (ObjectNode) fleetConfig().deepCopy();
    ObjectNode single = (ObjectNode) gatewayConfig().deepCopy();
    assertTrue(fleet.at("/state/postgres/passwordFile").asText().startsWith("/run/secrets/"));
    assertFalse(fleet.at("/state/postgres/url").asText().contains("@"), "no password in the URL");
    fleet.remove("state");
    ((ObjectNode) fleet.path("server")).remove("publicUrl");
    assertTrue(
        fleet.at("/server/proxyProtocol").asBoolean(), "replicas read HAProxy's PROXY header");
    ((ObjectNode) fleet.path("server")).remove("proxyProtocol");
    ((ObjectNode) single.path("server")).remove("publicUrl");
    assertEquals(single, fleet, "deploy/gateway-fleet.yaml has drifted from deploy/gateway.yaml");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway-1", "gateway-2"})
  void eachReplicaGetsEverySecretItsConfigNamesAndADataVolumeOfItsOwn(String name)
      throws IOException {
    JsonNode replica = compose().path("services").path(name);
    List<String> secrets = strings(replica.path("secrets"));
    JsonNode cfg = fleetConfig();
    for (String path :
        List.of(
            cfg.at("/server/tls/keyFile").asText(),
            cfg.at("/auth/tokenKeyFile").asText(),
            cfg.at("/auth/htpasswdFile").asText(),
            cfg.at("/upstreams/0/credentialsFile").asText(),
            cfg.at("/state/postgres/passwordFile").asText())) {
      assertTrue(path.startsWith("/run/secrets/"), path);
      assertTrue(secrets.contains(path.substring("/run/secrets/".length())), path + " granted");
    }
    assertTrue(
        strings(replica.path("volumes")).contains(name + "-data:" + cfg.path("dataDir").asText()),
        "its own cache and audit log");
    assertTrue(replica.path("ports").isMissingNode(), name + " is reached through HAProxy only");
    assertEquals(
        "service_healthy", replica.at("/depends_on/postgres/condition").asText(), "waits for it");
    assertEquals("on-failure", replica.path("restart").asText(), "started again if it exits");
    boolean configMounted = false;
    for (JsonNode c : replica.path("configs")) {
      configMounted |=
          c.path("source").asText().equals("gateway-fleet-config")
              && c.path("target").asText().equals("/etc/portcullis/gateway.yaml");
    }
    assertTrue(configMounted, "runs deploy/gateway-fleet.yaml");
    assertEquals(
        "./deploy/gateway-fleet.yaml", compose().at("/configs/gateway-fleet-config/file").asText());
  }

  @Test
  void postgresIsReachableOnlyByTheReplicasAndTakesItsPasswordFromASecret() throws IOException {
    JsonNode services = compose().path("services");
    JsonNode pg = services.path("postgres");
    assertEquals(List.of("state"), strings(pg.path("networks")));
    assertTrue(compose().at("/networks/state/internal").asBoolean(), "state network internal");
    assertTrue(pg.path("ports").isMissingNode(), "unpublished");
    String passwordFile = pg.at("/environment/POSTGRES_PASSWORD_FILE").asText();
    assertTrue(
        strings(pg.path("secrets")).contains(passwordFile.replace("/run/secrets/", "")),
        passwordFile);
    assertFalse(pg.path("environment").has("POSTGRES_PASSWORD"), "never the password itself");
    assertTrue(pg.path("healthcheck").has("test"), "healthcheck (the replicas wait for it)");
    String url = fleetConfig().at("/state/postgres/url").asText();
    assertEquals("postgresql://postgres:5432/" + pg.at("/environment/POSTGRES_DB").asText(), url);
    assertEquals(
        pg.at("/environment/POSTGRES_USER").asText(),
        fleetConfig().at("/state/postgres/user").asText());
    for (String name : List.of("gateway-1", "gateway-2")) {
      assertTrue(strings(services.path(name).path("networks")).contains("state"), name);
    }
  }

  /** HAProxy's servers are the replica services, on their client port, checked on the admin one. */
  @Test
  void haproxyServesTheReplicasOfTheComposeFileAndChecksTheirReadiness() throws IOException {
    JsonNode cfg = fleetConfig();
    int port = cfg.at("/server/port").asInt();
    int admin = cfg.at("/admin/port").asInt();
    Matcher m = SERVER.matcher(haproxyCfg());
    Set<String> hosts = new TreeSet<>();
    int checked = 0;
    while (m.find()) {
      hosts.add(m.group(2));
      assertEquals(port, Integer.parseInt(m.group(3)), m.group());
      if (m.group(4).contains(" check")) {
        assertTrue(
            m.group(4).contains(" port " + admin), "checked on the admin port: " + m.group());
        checked++;
      } else {
        assertTrue(m.group(4).contains(" track "), "tracks a checked server: " + m.group());
      }
    }
    assertEquals(Set.of("gateway-1", "gateway-2"), hosts);
    assertEquals(2, checked, "each replica checked once, the other backends track it");
    String hc = haproxyCfg();
    assertTrue(hc.contains("http-check send meth GET uri /readyz"), "health is /readyz");
    assertTrue(hc.contains("http-check expect status 200"));
    assertFalse(hc.contains("http-buffer-request"), "request bodies stream, never buffered");
    assertTrue(
        hc.matches("(?s).*\\n\\s*default-server [^\\n]*send-proxy-v2.*"),
        "client addresses reach the replicas (server.proxyProtocol)");
    assertFalse(hc.contains("set-header Host"), "Host passes as the client sent it");
    // blobs and manifests by consistent hashing: one replica per blob, little moves when one leaves
    for (String backend : List.of("blobs", "manifests")) {
      String section = section(hc, backend);
      assertTrue(section.contains("hash-type consistent"), backend + ": " + section);
      assertTrue(section.contains("balance hash ") || section.contains("balance uri"), section);
      assertFalse(section.contains("hash-balance-factor"), "never spread one blob over replicas");
    }
  }

  @Test
  void haproxyIsThePublishedTlsEndpointWithTheFilesItNamesMounted() throws IOException {
    JsonNode haproxy = compose().path("services").path("haproxy");
    List<String> ports = strings(haproxy.path("ports"));
    assertEquals(1, ports.size(), "one published port: " + ports);
    String published = ports.get(0).split(":")[0];
    assertTrue(
        fleetConfig().at("/server/publicUrl").asText().equals("https://localhost:" + published),
        "the replicas' publicUrl is HAProxy's published port (realm, upload Locations)");
    assertTrue(ports.get(0).endsWith(":5000"));
    String hc = haproxyCfg();
    assertTrue(hc.contains("bind :5000 ssl crt "), "TLS on the published port");
    Set<String> mounted = new HashSet<>();
    for (String kind : List.of("configs", "secrets")) {
      for (JsonNode c : haproxy.path(kind)) {
        mounted.add(c.path("target").asText());
      }
    }
    Matcher files = Pattern.compile("(?:crt|ca-file) (/\\S+)").matcher(hc);
    int named = 0;
    while (files.find()) {
      named++;
      assertTrue(mounted.contains(files.group(1)), files.group(1) + " mounted: " + mounted);
    }
    assertTrue(named >= 2, "certificate and the CA that verifies the replicas");
    assertTrue(mounted.contains(hc.replaceAll("(?s).*bind :5000 ssl crt (\\S+).*", "$1") + ".key"));
    assertTrue(mounted.contains("/usr/local/etc/haproxy/haproxy.cfg"), "runs deploy/haproxy.cfg");
    assertEquals("./deploy/haproxy.cfg", compose().at("/configs/haproxy-config/file").asText());
    assertTrue(haproxy.path("healthcheck").has("test"));
    assertTrue(
        compose().at("/networks/fleet/internal").asBoolean(), "replicas behind HAProxy only");
  }

  private static String section(String cfg, String backend) {
    int start = cfg.indexOf("backend " + backend + "\n");
    assertTrue(start >= 0, "backend " + backend);
    int end = cfg.indexOf("\nbackend ", start + 1);
    return cfg.substring(start, end < 0 ? cfg.length() : end);
  }
}
