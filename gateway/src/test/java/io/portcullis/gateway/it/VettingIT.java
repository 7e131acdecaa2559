package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.ConsoleRun;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import io.portcullis.testkit.VulnPredicates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Vetting rules enforced by the gateway, end to end: images built with umoci (no user, {@code 0:0},
 * an AWS secret in ENV, a missing label, an old {@code created}, an unlisted source, a multi-arch
 * index with one bad platform, an allowed, a foreign and an unnamed base image), signed and
 * attested with the real CLI (clean, CRITICAL, 40-day-old and untrusted Trivy scans, and none; SLSA
 * provenance from the trusted builder, from another, and none), pushed to a real docker-registry
 * and pulled through the packaged gateway jar with skopeo. Each denial names the rule and field;
 * audit mode serves and records the would-be denial; {@code portcullis-signer verify --policy}
 * agrees with the gateway on every image; and the secret's value appears in no response, audit
 * record or gateway log line.
 */
class VettingIT {
  static final String SOURCE = "org.opencontainers.image.source";

  /** An AWS-style secret access key; it must never leave the image config. */
  static final String SECRET = "kT9vQ2xLm8Rj4PzWb7Ns3YcHd6Fg1VaE5uXo0GATE";

  static final String SCAN = "attestations[0] vuln scan-keys";

  static final String BASE_NAME = "org.opencontainers.image.base.name";

  /** The one builder the {@code built} policy trusts for SLSA provenance. */
  static final String BUILDER = "https://ci.example/acme/build.yml@refs/heads/main";

  static final String PROVENANCE = "attestations[0] slsaprovenance release-keys";

  @TempDir static Path dir;
  static RegistryProcess registry;
  static Skopeo skopeo;
  static TestImages images;
  static GatewayProcess gateway;
  static String gatewayHost;
  static Path policy;
  static Path auditLog;
  static long seed = 700;

  /** The digest pushed to each {@code repo:1}. */
  static final Map<String, String> digests = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    Files.writeString(dir.resolve("pw"), "vetting-password\n");
    Signer.keygen(dir, "release", "scanner", "stranger");
    policy = dir.resolve("policy.yaml");
    Files.writeString(
        policy,
        """
        version: 1
        trustStores:
          release-keys: {type: cosign, keys: [release.pub]}
          scan-keys: {type: cosign, keys: [scanner.pub]}
        policies:
          - name: vetted
            scopes: ["team/**", "vendor/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
            config:
              nonRoot: true
              noSecretsInEnv: true
              allowedPorts: [8080]
              requiredLabels: [org.opencontainers.image.source]
              maxAge: 180d
            sources: {allow: ["team/**"]}
            attestations:
              - {type: vuln, trustStore: scan-keys, failOn: HIGH, maxAge: 7d}
          - name: watch
            scopes: ["audit/**"]
            mode: audit
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
            config: {nonRoot: true, noSecretsInEnv: true}
            attestations:
              - {type: vuln, trustStore: scan-keys, failOn: HIGH, maxAge: 7d}
          - name: based
            scopes: ["based/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
            baseImages: {allow: ["docker.io/library/alpine*"]}
          - name: built
            scopes: ["built/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
            attestations:
              - {type: slsaprovenance, trustStore: release-keys, builderId: "%s"}
          - name: default
            scopes: ["**"]
            mode: off
        """
            .formatted(BUILDER));

    Instant fresh = hoursAgo(1);
    image("team/good", clean().build(), "scanner", null, fresh);
    image("team/nouser", clean().user(null).build(), "scanner", null, fresh);
    image("team/root", clean().user("0:0").build(), "scanner", null, fresh);
    image(
        "team/secret",
        clean().env("AWS_SECRET_ACCESS_KEY", SECRET).build(),
        "scanner",
        null,
        fresh);
    image("team/unlabelled", clean().label(SOURCE, "").build(), "scanner", null, fresh);
    image("team/old", clean().created(daysAgo(400)).build(), "scanner", null, fresh);
    image("vendor/app", clean().build(), "scanner", null, fresh);
    image("team/critical", clean().build(), "scanner", "CRITICAL", fresh);
    image("team/stale", clean().build(), "scanner", null, daysAgo(40));
    image("team/untrusted", clean().build(), "stranger", null, fresh);
    image("team/unscanned", clean().build(), null, null, null);
    index(
        "team/multi",
        clean().platform("linux", "amd64").build(),
        clean().platform("linux", "arm64").user("root").build());
    index(
        "team/multigood",
        clean().platform("linux", "amd64").build(),
        clean().platform("linux", "arm64").build());
    image(
        "audit/secret",
        clean().env("AWS_SECRET_ACCESS_KEY", SECRET).build(),
        "scanner",
        null,
        fresh);
    image("audit/critical", clean().build(), "scanner", "CRITICAL", fresh);
    image("based/alpine", clean().label(BASE_NAME, "docker.io/library/alpine:3.19").build());
    image("based/debian", clean().label(BASE_NAME, "docker.io/library/debian:12").build());
    image("based/unknown", clean().build());
    image("built/ours", clean().build());
    provenance("built/ours", BUILDER);
    image("built/theirs", clean().build());
    provenance("built/theirs", "https://ci.example/stranger/build.yml@refs/heads/main");
    image("built/unproven", clean().build());

    auditLog = dir.resolve("audit/decisions.jsonl");
    // DEBUG, so that even the chattiest log line is checked for the secret
    gateway =
        GatewayProcess.inFrontOfWith(
            dir.resolve("gw"),
            registry.url(),
            "policy: {file: %s}\naudit: {file: %s}\n".formatted(policy, auditLog),
            "-DPORTCULLIS_LOG_LEVEL=DEBUG");
    gatewayHost = gateway.url().substring("http://".length());
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, images, skopeo, registry);
  }

  static Stream<Arguments> enforced() {
    return Stream.of(
        Arguments.of("team/good", null),
        Arguments.of("team/multigood", null),
        Arguments.of("team/nouser", "config.nonRoot: User is not set, so the image runs as root"),
        Arguments.of("team/root", "config.nonRoot: User '0:0' is root"),
        Arguments.of(
            "team/secret", "config.noSecretsInEnv: AWS_SECRET_ACCESS_KEY (name contains SECRET)"),
        Arguments.of("team/unlabelled", "config.requiredLabels: missing label " + SOURCE),
        Arguments.of("team/old", "config.maxAge: created "),
        Arguments.of("vendor/app", "sources: 'vendor/app' is not a vetted source"),
        Arguments.of("team/critical", SCAN + ": trivy found 1 CRITICAL (failOn HIGH)"),
        Arguments.of("team/stale", SCAN + ": stale: the newest scan finished"),
        Arguments.of(
            "team/untrusted", SCAN + ": no vuln attestation verifies with a key of 'scan-keys'"),
        Arguments.of("team/unscanned", SCAN + ": no vuln attestation found"),
        Arguments.of("team/multi", "config.nonRoot: linux/arm64: User 'root' is root"));
  }

  /**
   * Pulled with skopeo through the enforcing gateway: allowed (when {@code denial} is null) with
   * the exact digest, or refused with a message naming policy, rule and field; the CLI agrees.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("enforced")
  void gatewayEnforcesAndTheCliAgrees(String repo, String denial) throws Exception {
    assertEnforcedAndTheCliAgrees(repo, "vetted", denial);
  }

  static Stream<Arguments> baseImagesAndProvenance() {
    String base = "baseImages: ";
    return Stream.of(
        Arguments.of("based/alpine", "based", null),
        Arguments.of(
            "based/debian",
            "based",
            base
                + "base image 'docker.io/library/debian:12' is not allowed;"
                + " allowed: [docker.io/library/alpine*]"),
        Arguments.of("based/unknown", "based", base + "label " + BASE_NAME + " is missing"),
        Arguments.of("built/ours", "built", null),
        Arguments.of(
            "built/theirs",
            "built",
            PROVENANCE
                + ": provenance builder ['https://ci.example/stranger/build.yml@refs/heads/main']"
                + " is not '"
                + BUILDER
                + "'"),
        Arguments.of(
            "built/unproven", "built", PROVENANCE + ": no slsaprovenance attestation found"));
  }

  /**
   * {@code baseImages} read from the config label, and SLSA provenance attested with the CLI's
   * {@code attest --type slsaprovenance}, enforced by the gateway as by {@code verify --policy}.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("baseImagesAndProvenance")
  void baseImagesAndProvenanceAreEnforcedAndTheCliAgrees(
      String repo, String policyName, String denial) throws Exception {
    assertEnforcedAndTheCliAgrees(repo, policyName, denial);
  }

  static void assertEnforcedAndTheCliAgrees(String repo, String policyName, String denial)
      throws Exception {
    CommandResult pull = pull(repo);
    ConsoleRun verify = verify(repo);
    if (denial == null) {
      assertTrue(pull.ok(), pull.describe());
      assertEquals(0, verify.exitCode(), verify.toString());
      assertTrue(
          verify.out().contains("ALLOWED: allowed by policy '" + policyName + "'"),
          verify.toString());
      return;
    }
    assertFalse(pull.ok(), repo + " was let through");
    assertTrue(pull.stderr().contains("denied by policy '" + policyName + "'"), pull.stderr());
    assertTrue(pull.stderr().contains(denial), pull.stderr());
    assertEquals(1, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("FAILED " + denial), verify.toString());

    HttpResponse<String> raw = Http.get(gateway.url() + "/v2/" + repo + "/manifests/1");
    assertEquals(403, raw.statusCode(), raw.body());
    assertEquals("DENIED", Http.errorCode(raw));
    assertTrue(raw.body().contains(denial), raw.body());
    assertTrue(
        audit().stream()
            .anyMatch(
                line ->
                    line.contains("\"repository\":\"" + repo + "\"")
                        && line.contains("\"outcome\":\"denied\"")
                        && line.contains(jsonEscaped(denial))),
        "audit records the denial of " + repo);
  }

  @Test
  void allowedImagesAreServedAsPushed() throws Exception {
    Path out = dir.resolve("pull-good-again");
    skopeo.copy("docker://" + gatewayHost + "/team/good:1", "dir:" + out).orThrow();
    assertEquals(digests.get("team/good"), DirImage.read(out).manifestDigest());
  }

  @Test
  void auditModeServesAndRecordsWhatWouldBeDenied() throws Exception {
    Map<String, String> wouldDeny =
        Map.of(
            "audit/secret",
            "config.noSecretsInEnv: AWS_SECRET_ACCESS_KEY (name contains SECRET)",
            "audit/critical",
            SCAN + ": trivy found 1 CRITICAL (failOn HIGH)");
    for (var e : wouldDeny.entrySet()) {
      String repo = e.getKey();
      Path out = dir.resolve("pull-" + repo.replace('/', '-'));
      CommandResult pull =
          skopeo.copy("docker://" + gatewayHost + "/" + repo + ":1", "dir:" + out, "--all");
      assertTrue(pull.ok(), pull.describe());
      assertEquals(digests.get(repo), DirImage.read(out).manifestDigest());
      assertFalse(pull.stderr().contains(SECRET), "skopeo stderr echoes the secret");
      assertTrue(
          audit().stream()
              .anyMatch(
                  line ->
                      line.contains("\"repository\":\"" + repo + "\"")
                          && line.contains("\"mode\":\"audit\"")
                          && line.contains("\"outcome\":\"audit-would-deny\"")
                          && line.contains(jsonEscaped(e.getValue()))),
          "audit says " + repo + " would be denied: " + audit());

      ConsoleRun verify = verify(repo);
      assertEquals(0, verify.exitCode(), "the CLI allows it in audit mode too: " + verify);
      assertTrue(verify.out().contains("FAILED " + e.getValue()), verify.toString());
    }
  }

  @Test
  void theSecretValueIsNeverEchoed() throws Exception {
    CommandResult pull = pull("team/secret");
    assertFalse(pull.ok());
    HttpResponse<String> raw = Http.get(gateway.url() + "/v2/team/secret/manifests/1");
    skopeo.copy("docker://" + gatewayHost + "/audit/secret:1", "dir:" + dir.resolve("a-secret"));
    ConsoleRun verify = verify("team/secret");
    String fragment = SECRET.substring(0, 12);
    Map<String, String> seen = new LinkedHashMap<>();
    seen.put("skopeo stderr", pull.stderr() + pull.stdout());
    seen.put("response", raw.body() + raw.headers());
    seen.put("audit file", Files.readString(auditLog));
    seen.put("gateway log", gateway.log());
    seen.put("CLI output", verify.out() + verify.err());
    for (var e : seen.entrySet()) {
      assertFalse(e.getValue().contains(fragment), e.getKey() + " echoes the secret");
    }
    assertTrue(seen.get("audit file").contains("AWS_SECRET_ACCESS_KEY"), "names the variable");
  }

  /**
   * buildx puts {@code unknown/unknown} attestation manifests into an index; they are not images
   * and are not vetted. The same child under a real platform is.
   */
  @Test
  void unknownPlatformEntriesOfAnIndexAreSkippedButRealPlatformsAreVetted() throws Exception {
    copyWithin("team/good:1", "team/withatt:good");
    copyWithin("team/nouser:1", "team/withatt:nouser");
    copyWithin("team/good:1", "team/realplatform:good");
    copyWithin("team/nouser:1", "team/realplatform:nouser");
    String good = digests.get("team/good");
    String rootChild = digests.get("team/nouser");
    pushIndex("team/withatt", good, rootChild, "unknown", "unknown");
    pushIndex("team/realplatform", good, rootChild, "linux", "arm64");

    CommandResult allowed = pull("team/withatt");
    assertTrue(allowed.ok(), allowed.describe());
    ConsoleRun cliAllows = verify("team/withatt");
    assertEquals(0, cliAllows.exitCode(), cliAllows.toString());

    String denial = "config.nonRoot: linux/arm64: User is not set";
    CommandResult denied = pull("team/realplatform");
    assertFalse(denied.ok(), "a root platform was let through");
    assertTrue(denied.stderr().contains(denial), denied.stderr());
    ConsoleRun cliDenies = verify("team/realplatform");
    assertEquals(1, cliDenies.exitCode(), cliDenies.toString());
    assertTrue(cliDenies.out().contains("FAILED " + denial), cliDenies.toString());
  }

  /**
   * A config over 4 MiB is not a config: nothing is buffered, and the image is refused as "could
   * not verify" (503 here, exit 3 from the CLI) rather than let through unvetted.
   */
  @Test
  void anOversizedConfigFailsClosed() throws Exception {
    String repo = "team/bigconfig";
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"1000\"},"
                + "\"padding\":\""
                + "x".repeat(5 * 1024 * 1024)
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] layer = "not really a tar".getBytes(StandardCharsets.UTF_8);
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\",\"config\":"
            + descriptor(MediaTypes.OCI_CONFIG, uploadBlob(repo, config), config.length, "")
            + ",\"layers\":["
            + descriptor(MediaTypes.OCI_LAYER_GZIP, uploadBlob(repo, layer), layer.length, "")
            + "]}";
    putManifest(repo, MediaTypes.OCI_MANIFEST, manifest);
    signAndScan(repo, "scanner", null, hoursAgo(1));

    HttpResponse<String> r = Http.get(gateway.url() + "/v2/" + repo + "/manifests/1");
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("UNAVAILABLE", Http.errorCode(r));
    assertTrue(r.body().contains("over the 4 MiB limit for configs"), r.body());
    assertFalse(pull(repo).ok(), "an unvetted image was let through");
    ConsoleRun cli = verify(repo);
    assertEquals(3, cli.exitCode(), "the CLI cannot verify it either: " + cli);
  }

  // --- setup helpers ---

  /** A clean image: non-root, labelled, port 8080, built yesterday; a new seed each time. */
  static ImageSpec.Builder clean() {
    return ImageSpec.builder()
        .layers(1, 512)
        .seed(seed++)
        .user("1000:1000")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .label(SOURCE, "https://git.example/team/app")
        .exposedPort("8080/tcp")
        .created(daysAgo(1));
  }

  /**
   * Pushes {@code spec} to {@code repo:1}, signs it with the release key and, unless {@code
   * scanKey} is null, attests a Trivy scan finished at {@code at}, with one finding of {@code
   * severity} unless that is null.
   */
  static void image(String repo, ImageSpec spec, String scanKey, String severity, Instant at) {
    push(repo, images.build(spec), scanKey, severity, at);
  }

  /** Pushes {@code spec} to {@code repo:1} and signs it with the release key; no scan. */
  static void image(String repo, ImageSpec spec) {
    push(repo, images.build(spec), null, null, null);
  }

  /**
   * Attests SLSA v0.2 provenance naming {@code builderId} for {@code repo:1}, with the release key,
   * through the CLI as a CI pipeline would.
   */
  static void provenance(String repo, String builderId) {
    String json =
        "{\"builder\": {\"id\": \""
            + builderId
            + "\"}, \"buildType\": \"https://ci.example/buildtypes/container@v1\","
            + " \"invocation\": {\"configSource\": {\"uri\": \"git+https://git.example/team/app\"}}}";
    Path predicate = dir.resolve("provenance-" + repo.replace('/', '-') + ".json");
    try {
      Files.writeString(predicate, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Signer.attest(dir, "release", registry, "slsaprovenance", predicate, repo + ":1");
  }

  /** A multi-arch index, signed and given a fresh clean scan. */
  static void index(String repo, ImageSpec... platforms) {
    push(repo, images.buildIndex(platforms), "scanner", null, hoursAgo(1));
  }

  static void push(String repo, OciLayout layout, String scanKey, String severity, Instant at) {
    images.push(layout, registry.ref(repo + ":1"));
    digests.put(repo, layout.digest());
    signAndScan(repo, scanKey, severity, at);
  }

  /** Signs {@code repo:1} with the release key and attests a scan as {@link #image} says. */
  static void signAndScan(String repo, String scanKey, String severity, Instant at) {
    Signer.sign(dir, "release", registry, repo + ":1");
    if (scanKey != null) {
      Signer.attest(dir, scanKey, registry, "vuln", trivyReport(repo, severity, at), repo + ":1");
    }
  }

  /** A cosign vuln predicate whose {@code scanner.result} is a Trivy JSON report. */
  static Path trivyReport(String repo, String severity, Instant at) {
    String json = VulnPredicates.trivy(severity, at);
    try {
      return Files.writeString(dir.resolve("scan-" + repo.replace('/', '-') + ".json"), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies an image between repositories of the registry, keeping its digest. */
  static void copyWithin(String from, String to) {
    skopeo.copy(registry.ref(from), registry.ref(to), "--preserve-digests").orThrow();
  }

  /**
   * Pushes to {@code repo:1} a signed, scanned index of {@code amd64} (linux/amd64) and {@code
   * other} under the platform {@code os/arch}.
   */
  static void pushIndex(String repo, String amd64, String other, String os, String arch)
      throws Exception {
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_INDEX
            + "\",\"manifests\":["
            + descriptor(
                MediaTypes.OCI_MANIFEST,
                amd64,
                manifestSize(repo, amd64),
                ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}")
            + ","
            + descriptor(
                MediaTypes.OCI_MANIFEST,
                other,
                manifestSize(repo, other),
                ",\"platform\":{\"architecture\":\""
                    + arch
                    + "\",\"os\":\""
                    + os
                    + "\"},\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\","
                    + "\"vnd.docker.reference.digest\":\""
                    + amd64
                    + "\"}")
            + "]}";
    putManifest(repo, MediaTypes.OCI_INDEX, index);
    signAndScan(repo, "scanner", null, hoursAgo(1));
  }

  static String descriptor(String mediaType, String digest, long size, String more) {
    return "{\"mediaType\":\""
        + mediaType
        + "\",\"digest\":\""
        + digest
        + "\",\"size\":"
        + size
        + more
        + "}";
  }

  static long manifestSize(String repo, String digest) throws Exception {
    HttpResponse<byte[]> r =
        Http.getBytes(
            registry.url() + "/v2/" + repo + "/manifests/" + digest,
            "Accept",
            MediaTypes.OCI_MANIFEST);
    assertEquals(200, r.statusCode());
    return r.body().length;
  }

  static void putManifest(String repo, String mediaType, String json) throws Exception {
    HttpResponse<String> r =
        Http.send(
            "PUT",
            registry.url() + "/v2/" + repo + "/manifests/1",
            json.getBytes(StandardCharsets.UTF_8),
            "Content-Type",
            mediaType);
    assertEquals(201, r.statusCode(), r.body());
  }

  /** Uploads a blob to the registry directly (POST, then PUT with the digest); its digest. */
  static String uploadBlob(String repo, byte[] content) throws Exception {
    HttpResponse<String> started =
        Http.send("POST", registry.url() + "/v2/" + repo + "/blobs/uploads/", new byte[0]);
    assertEquals(202, started.statusCode(), started.body());
    String location = started.headers().firstValue("Location").orElseThrow();
    if (location.startsWith("/")) {
      location = registry.url() + location;
    }
    String digest = Digest.sha256(content).toString();
    String url = location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    HttpResponse<String> done =
        Http.send("PUT", url, content, "Content-Type", "application/octet-stream");
    assertEquals(201, done.statusCode(), done.body());
    return digest;
  }

  static Instant hoursAgo(int hours) {
    return Instant.now().minus(Duration.ofHours(hours)).truncatedTo(ChronoUnit.SECONDS);
  }

  static Instant daysAgo(int days) {
    return Instant.now().minus(Duration.ofDays(days)).truncatedTo(ChronoUnit.SECONDS);
  }

  // --- driving helpers ---

  static CommandResult pull(String repo) {
    return skopeo.copy(
        "docker://" + gatewayHost + "/" + repo + ":1",
        "dir:" + dir.resolve("pull-" + repo.replace('/', '-') + "-" + seed++),
        "--all");
  }

  static List<String> audit() throws IOException {
    return Files.readAllLines(auditLog);
  }

  /** How a string appears inside a JSON string value (the reasons quote with {@code '}). */
  static String jsonEscaped(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** {@code portcullis-signer verify --policy} straight against the registry. */
  static ConsoleRun verify(String repo) {
    return Signer.run(
        "verify",
        "--policy",
        policy.toString(),
        "--insecure-registry",
        registry.hostPort(),
        registry.hostPort() + "/" + repo + ":1");
  }
}
