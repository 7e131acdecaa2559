package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import io.portcullis.testkit.VulnPredicates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --policy} with vetting rules against a real docker-registry: images built by the
 * testkit with chosen users, environments, labels, ports and creation times, signed and attested
 * with the CLI itself ({@code attest --type vuln} with Trivy reports), then decided on. The CLI
 * fetches the config(s) and the {@code .att} attestations itself, as the gateway does.
 */
class VettingCliIT {
  static final String SOURCE = "org.opencontainers.image.source";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz1234EXAMPLE";

  static RegistryProcess registry;
  static Skopeo skopeo;
  static TestImages images;
  static String host;

  @TempDir static Path work;
  static Path password;
  static Path policy;

  @BeforeAll
  static void start() {
    registry = RegistryProcess.start();
    host = registry.hostPort();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    password = write("password.txt", "hello\n");
    for (String name : List.of("release", "scanner", "stranger")) {
      CliRun.ok("keygen", "--password-file=" + password, "--out", work.resolve(name).toString());
    }
    policy =
        write(
            "vetted.yaml",
            """
            version: 1
            trustStores:
              release-keys: {type: cosign, keys: [release.pub]}
              scan-keys: {type: cosign, keys: [scanner.pub]}
            policies:
              - name: vetted
                scopes: ["team/**"]
                signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
                config:
                  nonRoot: true
                  noSecretsInEnv: true
                  allowedPorts: [8080]
                  requiredLabels: [org.opencontainers.image.source]
                  maxAge: 180d
                attestations:
                  - {type: vuln, trustStore: scan-keys, failOn: HIGH, maxAge: 7d}
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, registry);
  }

  static Path write(String name, String content) {
    try {
      return Files.writeString(work.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CliRun cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--insecure-registry=" + host);
    if (Set.of("sign", "attest").contains(args[0])) {
      all.add(1, "--password-file=" + password);
    }
    return CliRun.of(all.toArray(String[]::new));
  }

  /** A clean image: non-root, labelled, port 8080, built yesterday. */
  static ImageSpec.Builder clean(long seed) {
    return ImageSpec.builder()
        .layers(1, 512)
        .seed(seed)
        .user("1000:1000")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .label(SOURCE, "https://git.example/team/app")
        .exposedPort("8080/tcp")
        .created(Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS));
  }

  /** Pushes {@code layout} to {@code team/<name>:1}, signs it with the release key, returns it. */
  static String push(String name, OciLayout layout) {
    images.push(layout, registry.ref("team/" + name + ":1"), "--dest-tls-verify=false");
    String image = host + "/team/" + name + ":1";
    CliRun sign = cli("sign", "--key", work.resolve("release.key").toString(), image);
    assertEquals(0, sign.exitCode(), sign.toString());
    return image;
  }

  static String push(String name, ImageSpec spec) {
    return push(name, images.build(spec));
  }

  /**
   * Attests a Trivy report (clean or with one finding of {@code severity}) finished at {@code at}.
   */
  static void attest(String image, String key, String severity, Instant at) {
    Path predicate =
        write("scan-" + Math.abs(image.hashCode()) + ".json", VulnPredicates.trivy(severity, at));
    CliRun run =
        cli(
            "attest",
            "--key",
            work.resolve(key + ".key").toString(),
            "--type",
            "vuln",
            "--predicate",
            predicate.toString(),
            image);
    assertEquals(0, run.exitCode(), run.toString());
  }

  static CliRun verify(String image) {
    return cli("verify", "--policy", policy.toString(), image);
  }

  static void assertDenied(CliRun run, String check, String reason) {
    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(run.out().contains("FAILED " + check + ": " + reason), run.toString());
    assertTrue(run.out().contains("DENIED: denied by policy 'vetted': "), run.toString());
    assertTrue(run.out().contains(check + ": " + reason), run.toString());
  }

  static Instant hoursAgo(int hours) {
    return Instant.now().minus(Duration.ofHours(hours)).truncatedTo(ChronoUnit.SECONDS);
  }

  @Test
  void cleanImageWithAFreshCleanScanIsAllowed() {
    String image = push("clean", clean(1).build());
    attest(image, "scanner", null, hoursAgo(1));
    CliRun run = verify(image);
    assertEquals(0, run.exitCode(), run.toString());
    for (String check :
        List.of(
            "config.nonRoot",
            "config.noSecretsInEnv",
            "config.allowedPorts",
            "config.requiredLabels",
            "config.maxAge",
            "attestations[0] vuln scan-keys")) {
      assertTrue(run.out().contains("PASSED " + check + ": "), check + "\n" + run);
    }
    assertTrue(run.out().contains("ALLOWED: allowed by policy 'vetted'"), run.toString());
  }

  @Test
  void rootImageIsDenied() {
    String image = push("root", clean(2).user("0:0").build());
    attest(image, "scanner", null, hoursAgo(1));
    assertDenied(verify(image), "config.nonRoot", "User '0:0' is root");
  }

  @Test
  void imageWithAnAwsSecretIsDeniedWithoutEchoingIt() {
    String image = push("secret", clean(3).env("AWS_SECRET_ACCESS_KEY", SECRET).build());
    attest(image, "scanner", null, hoursAgo(1));
    CliRun run = verify(image);
    assertDenied(run, "config.noSecretsInEnv", "AWS_SECRET_ACCESS_KEY (name contains SECRET)");
    assertFalse(run.out().contains(SECRET), "stdout echoes the secret");
    assertFalse(run.err().contains(SECRET), "stderr echoes the secret");
    assertFalse(run.out().contains(SECRET.substring(0, 12)), "stdout echoes part of the secret");
  }

  @Test
  void missingLabelIsDenied() {
    String image = push("unlabelled", clean(4).label(SOURCE, "").build());
    attest(image, "scanner", null, hoursAgo(1));
    assertDenied(verify(image), "config.requiredLabels", "missing label " + SOURCE);
  }

  @Test
  void oldImageIsDenied() {
    Instant created = Instant.now().minus(Duration.ofDays(400)).truncatedTo(ChronoUnit.SECONDS);
    String image = push("old", clean(5).created(created).build());
    attest(image, "scanner", null, hoursAgo(1));
    assertDenied(verify(image), "config.maxAge", "created " + created + " is 400d old");
  }

  @Test
  void criticalFindingIsDenied() {
    String image = push("critical", clean(6).build());
    attest(image, "scanner", "CRITICAL", hoursAgo(1));
    assertDenied(
        verify(image), "attestations[0] vuln scan-keys", "trivy found 1 CRITICAL (failOn HIGH)");
  }

  @Test
  void fortyDayOldScanIsDenied() {
    String image = push("stale", clean(7).build());
    attest(image, "scanner", null, Instant.now().minus(Duration.ofDays(40)));
    assertDenied(verify(image), "attestations[0] vuln scan-keys", "stale: the newest scan");
  }

  @Test
  void scanAttestedByAnUntrustedKeyIsDenied() {
    String image = push("untrusted", clean(8).build());
    attest(image, "stranger", null, hoursAgo(1));
    assertDenied(
        verify(image),
        "attestations[0] vuln scan-keys",
        "no vuln attestation verifies with a key of 'scan-keys'");
  }

  @Test
  void imageWithoutAScanIsDenied() {
    String image = push("unscanned", clean(9).build());
    assertDenied(verify(image), "attestations[0] vuln scan-keys", "no vuln attestation found");
  }

  @Test
  void theImageManifestIsRequestedOncePerVerify() {
    String image = push("once", clean(12).build());
    attest(image, "scanner", null, hoursAgo(1));
    String top = "/v2/team/once/manifests/(1|sha256:[a-f0-9]{64})";
    long heads = registry.count("HEAD", top);
    long gets = registry.count("GET", top);
    CliRun run = verify(image);
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(
        1,
        registry.count("HEAD", top) - heads + registry.count("GET", top) - gets,
        "manifest requests: "
            + registry.requests().stream().filter(r -> r.path().contains("/manifests/")).toList());
  }

  @Test
  void everyPlatformOfAnIndexIsVetted() {
    OciLayout index =
        images.buildIndex(
            clean(10).platform("linux", "amd64").build(),
            clean(11).platform("linux", "arm64").user("root").build());
    String image = push("multi", index);
    attest(image, "scanner", null, hoursAgo(1));
    assertDenied(verify(image), "config.nonRoot", "linux/arm64: User 'root' is root");
  }
}
