package io.portcullis.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Holds the hardening of {@code docker-compose.yml}, {@code Dockerfile} and {@code .dockerignore}
 * (issue 8), read as data: this machine has no Docker daemon to run them.
 */
class ComposeFileTest {
  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DIGEST_PINNED = Pattern.compile(".+@sha256:[0-9a-f]{64}");
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|passwd|secret|token|credential|private|_key|apikey).*");

  static JsonNode compose() throws IOException {
    return YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
  }

  static JsonNode gatewayConfig() throws IOException {
    return YAML.readTree(ROOT.resolve("deploy/gateway.yaml").toFile());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "registry", "haproxy", "gateway-1", "gateway-2", "postgres"})
  void everyServiceIsHardened(String name) throws IOException {
    JsonNode s = compose().path("services").path(name);
    assertFalse(s.isMissingNode(), name + " is a service");
    assertTrue(s.path("read_only").asBoolean(false), name + ": read_only: true");
    assertEquals(List.of("ALL"), strings(s.path("cap_drop")), name + ": cap_drop: [ALL]");
    assertTrue(strings(s.path("cap_add")).isEmpty(), name + ": no cap_add");
    assertTrue(
        strings(s.path("security_opt")).contains("no-new-privileges:true"),
        name + ": no-new-privileges");
    String user = s.path("user").asText("");
    assertTrue(user.matches("\\d+:\\d+"), name + ": numeric user:group, got '" + user + "'");
    assertNotEquals("0", user.split(":")[0], name + ": not root");
    assertTrue(s.path("mem_limit").isTextual(), name + ": mem_limit");
    assertTrue(s.path("cpus").isNumber() || s.path("cpus").isTextual(), name + ": cpus");
    assertTrue(s.path("pids_limit").asInt(0) > 0, name + ": pids_limit");
    assertFalse(s.path("privileged").asBoolean(false), name + ": not privileged");
    assertFalse(s.has("network_mode"), name + ": no host or shared network mode");
    assertFalse(s.has("pid") || s.has("ipc"), name + ": no host pid/ipc namespace");
    assertFalse(s.has("devices"), name + ": no devices");
    for (String volume : strings(s.path("volumes"))) {
      assertFalse(volume.contains("docker.sock"), name + ": no Docker socket: " + volume);
    }
    assertTrue(s.path("tmpfs").isArray(), name + ": /tmp is a tmpfs, the root stays read-only");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gateway", "registry", "haproxy", "gateway-1", "gateway-2", "postgres"})
  void noSecretInTheEnvironment(String name) throws IOException {
    JsonNode env = compose().path("services").path(name).path("environment");
    assertTrue(env.isObject() || env.isMissingNode(), "environment as a mapping");
    env.properties()
        .forEach(
            e -> {
              // A realm is a name shown to clients, not a secret.
              if (SECRET_NAME.matcher(e.getKey()).matches() && !e.getKey().endsWith("_REALM")) {
                assertTrue(
                    e.getValue().asText().startsWith("/run/secrets/"),
                    name + ": " + e.getKey() + " may only name a secret file");
              }
            });
    assertFalse(compose().path("services").path(name).has("env_file"), "no env files");
  }

  @Test
  void secretsAreFilesGrantedToTheServicesThatNeedThem() throws IOException {
    JsonNode compose = compose();
    JsonNode secrets = compose.path("secrets");
    Set<String> declared = new HashSet<>();
    secrets
        .properties()
        .forEach(
            e -> {
              declared.add(e.getKey());
              assertTrue(e.getValue().has("file"), e.getKey() + " is a file secret");
              assertFalse(e.getValue().has("environment"), e.getKey() + " never from env");
            });
    List<String> gateway = strings(compose.path("services").path("gateway").path("secrets"));
    assertTrue(
        gateway.containsAll(List.of("upstream-credentials", "token-key", "tls-key")), "" + gateway);
    assertEquals(
        List.of("registry-htpasswd"),
        strings(compose.path("services").path("registry").path("secrets")));
    assertTrue(declared.containsAll(gateway));
    // Every secret path the gateway config names is one of the gateway's secrets.
    JsonNode cfg = gatewayConfig();
    List<String> named =
        List.of(
            cfg.at("/server/tls/keyFile").asText(),
            cfg.at("/auth/tokenKeyFile").asText(),
            cfg.at("/auth/htpasswdFile").asText(),
            cfg.at("/upstreams/0/credentialsFile").asText());
    for (String path : named) {
      assertTrue(path.startsWith("/run/secrets/"), path);
      assertTrue(gateway.contains(path.substring("/run/secrets/".length())), path + " granted");
    }
  }

  @Test
  void onlyTheGatewaysTlsPortIsPublished() throws IOException {
    JsonNode services = compose().path("services");
    assertEquals(List.of("5000:5000"), strings(services.path("gateway").path("ports")));
    assertTrue(services.path("registry").path("ports").isMissingNode(), "registry unpublished");
    JsonNode cfg = gatewayConfig();
    assertEquals(5000, cfg.at("/server/port").asInt());
    assertTrue(cfg.at("/server/tls").isObject(), "the published port speaks TLS");
    assertTrue(cfg.at("/server/publicUrl").asText().startsWith("https://"));
    int admin = cfg.at("/admin/port").asInt();
    assertTrue(admin > 0);
    for (String p : strings(services.path("gateway").path("ports"))) {
      assertFalse(p.endsWith(":" + admin), "admin port unpublished");
    }
    assertTrue(compose().at("/networks/backend/internal").asBoolean(), "registry network internal");
    assertEquals(List.of("backend"), strings(services.path("registry").path("networks")));
  }

  @Test
  void tlsComesFromTheDevPkiAndStateFromAVolume() throws IOException {
    JsonNode compose = compose();
    assertEquals(
        "./certs-dev/out/tls.crt", compose.at("/configs/tls-cert/file").asText(), "certs dev");
    assertEquals("./certs-dev/out/tls.key", compose.at("/secrets/tls-key/file").asText());
    JsonNode cfg = gatewayConfig();
    String certFile = cfg.at("/server/tls/certFile").asText();
    boolean mounted = false;
    for (JsonNode c : compose.at("/services/gateway/configs")) {
      mounted |= c.path("target").asText().equals(certFile);
    }
    assertTrue(mounted, certFile + " is mounted as a config");
    String dataDir = cfg.path("dataDir").asText();
    assertTrue(
        strings(compose.at("/services/gateway/volumes")).stream()
            .anyMatch(v -> v.endsWith(":" + dataDir) && !v.startsWith(".")),
        "dataDir " + dataDir + " is a named volume");
    assertEquals("json", cfg.at("/logging/format").asText());
    assertTrue(
        compose.at("/services/gateway/stop_grace_period").asText().matches("\\d+s"),
        "compose waits for the gateway's graceful shutdown");
  }

  @Test
  void imagesArePinnedByDigest() throws IOException {
    // every image pulled rather than built here
    compose()
        .path("services")
        .properties()
        .forEach(
            e -> {
              if (!e.getValue().has("build")) {
                String image = e.getValue().path("image").asText();
                assertTrue(DIGEST_PINNED.matcher(image).matches(), e.getKey() + ": " + image);
              }
            });
    List<String> froms = dockerfile().stream().filter(l -> l.startsWith("FROM ")).toList();
    assertTrue(froms.size() >= 2, "multi-stage: " + froms);
    for (String from : froms) {
      assertTrue(DIGEST_PINNED.matcher(from.split("\\s+")[1]).matches(), from);
    }
  }

  @Test
  void dockerfileRunsAsNonRootWithAHealthcheckAndVolumesForWritablePaths() throws IOException {
    List<String> lines = dockerfile();
    int lastFrom = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("FROM ")) {
        lastFrom = i;
      }
    }
    List<String> runtime = lines.subList(lastFrom, lines.size());
    List<String> users = runtime.stream().filter(l -> l.startsWith("USER ")).toList();
    assertEquals(1, users.size(), "one USER in the runtime stage");
    String user = users.get(0).substring(5).trim();
    assertTrue(user.matches("\\d+(:\\d+)?"), "numeric USER: " + user);
    assertNotEquals("0", user.split(":")[0]);
    String health =
        runtime.stream().filter(l -> l.startsWith("HEALTHCHECK ")).findFirst().orElseThrow();
    assertTrue(health.contains("CMD [\""), "exec form (no shell in the image): " + health);
    assertTrue(health.contains("\"healthcheck\""), "the jar's healthcheck command: " + health);
    String volume = runtime.stream().filter(l -> l.startsWith("VOLUME ")).findFirst().orElseThrow();
    assertTrue(volume.contains("/var/lib/portcullis") && volume.contains("/tmp"), volume);
    assertTrue(
        runtime.stream().anyMatch(l -> l.contains("PORTCULLIS_DATADIR=/var/lib/portcullis")));
    for (String l : lines) {
      if (l.startsWith("ENV ") || l.startsWith("ARG ")) {
        for (String word : l.substring(4).split("\\s+")) {
          String name = word.split("=")[0];
          assertFalse(SECRET_NAME.matcher(name).matches(), "no secret in the image: " + l);
        }
      }
      if (l.startsWith("COPY ") || l.startsWith("ADD ")) {
        assertFalse(
            l.matches(".*(\\.key|\\.pem|secrets|certs-dev|\\.p12).*"),
            "no key material copied: " + l);
      }
      assertFalse(l.startsWith("ADD http"), "no remote ADD: " + l);
    }
  }

  @Test
  void dockerignoreKeepsSecretsAndBuildOutputOutOfTheContext() throws IOException {
    List<String> ignored =
        Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    assertTrue(
        ignored.containsAll(
            List.of(".git", "**/target", "certs-dev/out", "deploy/secrets", "**/*.key")),
        "" + ignored);
    assertFalse(ignored.stream().anyMatch(l -> l.startsWith("!")), "no re-includes");
  }

  static List<String> dockerfile() throws IOException {
    return ImageRuntime.instructions(ROOT.resolve("Dockerfile"));
  }

  @Test
  void theBuildStageCopiesEveryModuleAndNothingTheContextLeavesOut() throws IOException {
    ImageRuntime image = ImageRuntime.read(ROOT.resolve("Dockerfile"));
    List<String> lines = dockerfile();
    int lastFrom = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("FROM ")) {
        lastFrom = i;
      }
    }
    List<String> copied = new ArrayList<>();
    for (String l : lines.subList(0, lastFrom)) {
      if (l.startsWith("COPY ")) {
        String[] words = l.split("\\s+");
        copied.addAll(List.of(words).subList(1, words.length - 1));
      }
    }
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    java.util.regex.Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    List<String> modules = new ArrayList<>();
    while (module.find()) {
      modules.add(module.group(1));
    }
    assertFalse(modules.isEmpty());
    assertTrue(copied.contains("pom.xml"), "the parent POM: " + copied);
    assertTrue(
        copied.containsAll(modules), "every module of the reactor " + modules + ": " + copied);
    // and the runtime stage takes the jar the build stage made
    assertTrue(
        image.copyOf("portcullis-gateway.jar").dest().startsWith("/app/"), "" + image.copies());
  }

  static List<String> strings(JsonNode node) {
    if (node == null || !node.isArray()) {
      return List.of();
    }
    return StreamSupport.stream(node.spliterator(), false).map(JsonNode::asText).toList();
  }
}
