package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryClientConfig;
import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy lint} and {@code verify --policy} end to end: images pushed to a real
 * docker-registry (one by skopeo), signed with the CLI in both formats, then decided on with policy
 * files written beside the keys.
 */
class PolicyCliIT {
  static RegistryProcess registry;
  static RegistryClient client;
  static String host;

  @TempDir static Path work;
  static Path password;

  @BeforeAll
  static void start() {
    registry = RegistryProcess.start();
    host = registry.hostPort();
    client =
        RegistryClient.create(new RegistryClientConfig(null, Set.of(host), Duration.ofSeconds(10)));
    password = write("password.txt", "hello\n");
    for (String name : List.of("ci", "release", "stranger")) {
      CliRun.ok("keygen", "--password-file=" + password, "--out", path(name).toString());
    }
    CliRun.ok("certs", "dev", "--out", path("pki").toString());
    write(
        "trust.yaml",
        """
        version: 1
        trustStores:
          ci-key: {type: cosign, keys: [ci.pub]}
          release-keys: {type: cosign, keys: [release.pub]}
          release-ca: {type: x509, certificates: [pki/root.crt]}
        policies:
          - name: prod
            scopes: ["prod/**"]
            mode: enforce
            signatures:
              allOf:
                - {type: cosign, trustStore: ci-key}
                - type: notation
                  trustStore: release-ca
                  identities: ["x509.subject: C=US, ST=WA, O=Portcullis Dev"]
            tags: {allowLatest: false}
          - name: internal
            scopes: ["internal/*"]
            mode: enforce
            signatures:
              anyOf:
                - {type: cosign, trustStore: release-keys}
          - name: default
            scopes: ["**"]
            mode: audit
            signatures:
              anyOf:
                - {type: cosign, trustStore: release-keys}
        """);
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  static Path path(String name) {
    return work.resolve(name);
  }

  static Path write(String name, String content) {
    try {
      return Files.writeString(work.resolve(name), content);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static CliRun cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--insecure-registry=" + host);
    if (args[0].equals("sign") && !all.contains("notation")) {
      all.add(1, "--password-file=" + password);
    }
    return CliRun.of(all.toArray(String[]::new));
  }

  static CliRun signCosign(String key, String image) {
    CliRun run = cli("sign", "--key", path(key + ".key").toString(), image);
    assertEquals(0, run.exitCode(), run.toString());
    return run;
  }

  static void signNotation(String image) {
    CliRun run =
        cli(
            "sign",
            "--format",
            "notation",
            "--cert",
            path("pki").resolve("signer.crt").toString(),
            "--cert-key",
            path("pki").resolve("signer.key").toString(),
            image);
    assertEquals(0, run.exitCode(), run.toString());
  }

  static CliRun verify(String image, String... extra) {
    List<String> args =
        new ArrayList<>(List.of("verify", "--policy", path("trust.yaml").toString()));
    args.addAll(List.of(extra));
    args.add(image);
    return cli(args.toArray(String[]::new));
  }

  /** A fresh one-layer image tagged {@code tag} in {@code repo}. */
  static String image(String repo, String tag) {
    return OneLayerImages.push(client, host, repo, tag);
  }

  @Test
  void ciKeyAndReleaseCertificateTogetherAreAllowedOnAnImagePushedBySkopeo() {
    String image = host + "/prod/app:1.0";
    try (Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      OciLayout app = images.build(ImageSpec.builder().layers(2, 2048).seed(11).build());
      images.push(app, registry.ref("prod/app:1.0"), "--dest-tls-verify=false");
    }
    signCosign("ci", image);
    CliRun onlyCi = verify(image);
    assertEquals(1, onlyCi.exitCode(), onlyCi.toString());
    assertTrue(
        onlyCi
            .out()
            .contains("FAILED signatures.allOf[1] notation release-ca: no Notary signature found"),
        onlyCi.toString());
    assertTrue(
        onlyCi.out().contains("DENIED: denied by policy 'prod': signatures do not satisfy allOf"),
        onlyCi.toString());

    signNotation(image);
    CliRun both = verify(image);
    assertEquals(0, both.exitCode(), both.toString());
    assertTrue(both.out().contains("policy 'prod' (enforce) for 'prod/app'"), both.toString());
    assertTrue(both.out().contains("PASSED signatures.allOf[0] cosign ci-key"), both.toString());
    assertTrue(
        both.out().contains("PASSED signatures.allOf[1] notation release-ca"), both.toString());
    assertTrue(both.out().contains("ALLOWED: allowed by policy 'prod'"), both.toString());
  }

  @Test
  void wrongKeyIsDeniedAndTheRightKeyAllowed() {
    String image = image("internal/api", "v1");
    signCosign("stranger", image);
    CliRun denied = verify(image);
    assertEquals(1, denied.exitCode(), denied.toString());
    assertTrue(
        denied
            .out()
            .contains(
                "DENIED: denied by policy 'internal': no signature satisfies anyOf [cosign"
                    + " release-keys: signature does not verify with any trusted key] — sign the"
                    + " image with a key in 'release-keys' (cosign)"),
        denied.toString());

    signCosign("release", image);
    CliRun allowed = verify(image);
    assertEquals(0, allowed.exitCode(), allowed.toString());
    assertTrue(allowed.out().contains("signed by cosign key "), allowed.toString());
  }

  @Test
  void auditPolicyAllowsAnUnsignedImageAndSaysSo() {
    String image = image("misc/tool", "v1");
    CliRun run = verify(image);
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(
        run.out()
            .contains("FAILED signatures.anyOf[0] cosign release-keys: no cosign signature found"),
        run.toString());
    assertTrue(run.out().contains("in audit mode, though not satisfied"), run.toString());
  }

  @Test
  void scopePathOverridesTheRepositoryPath() {
    String image = image("misc/other", "v1");
    CliRun run = verify(image, "--scope-path", "internal/other");
    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(
        run.out().contains("policy 'internal' (enforce) for 'internal/other'"), run.toString());
  }

  @Test
  void latestTagIsDeniedWhereThePolicyForbidsIt() {
    String image = image("prod/latest-app", "latest");
    CliRun run = verify(image);
    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(
        run.out().contains("DENIED: denied by policy 'prod': tag 'latest' is not allowed"),
        run.toString());
  }

  @Test
  void unreachableRegistryCouldNotVerify() {
    int port = FreePorts.loopback();
    CliRun run =
        CliRun.of(
            "verify",
            "--insecure-registry=127.0.0.1:" + port,
            "--registry-timeout=2",
            "--policy",
            path("trust.yaml").toString(),
            "127.0.0.1:" + port + "/prod/app:1");
    assertEquals(3, run.exitCode(), run.toString());
    assertEquals(1, run.errLines(), run.toString());
  }

  @Test
  void invalidPolicyIsAUsageErrorForVerify() {
    Path bad = write("bad-verify.yaml", "version: 1\npolicies: [{name: p, scopes: []}]\n");
    CliRun run = cli("verify", "--policy", bad.toString(), image("misc/x", "v1"));
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.err().contains("policies[0].scopes: is empty"), run.toString());
  }

  @Test
  void lintAcceptsAGoodFileAndExplainsABadOne() {
    CliRun good = CliRun.of("policy", "lint", path("trust.yaml").toString());
    assertEquals(0, good.exitCode(), good.toString());
    assertTrue(
        good.out().contains(": valid, 3 trust stores, 3 policies (revision sha256:"),
        good.toString());

    Path bad =
        write(
            "bad.yaml",
            "version: 1\ntrustStores:\n  k: {type: cosign, keys: [ci.pub]}\npolicies:\n"
                + "  - name: p\n    scopes: ['**']\n    signatures:\n"
                + "      anyOf: [{type: cosign, trustStore: release-cx}]\n");
    CliRun invalid = CliRun.of("policy", "lint", bad.toString());
    assertEquals(1, invalid.exitCode(), invalid.toString());
    assertEquals(1, invalid.errLines(), invalid.toString());
    assertEquals(
        "portcullis-signer policy lint: "
            + bad
            + ": policies[0].signatures.anyOf[0].trustStore: 'release-cx' is not defined in"
            + " trustStores (defined: k)",
        invalid.err().strip());

    CliRun missing = CliRun.of("policy", "lint", path("nope.yaml").toString());
    assertEquals(2, missing.exitCode(), missing.toString());
  }

  @Test
  void documentedExamplesLint() throws Exception {
    Path root = Path.of(System.getProperty("portcullis.projectRoot", ".."));
    for (String example :
        List.of(
            "production.yaml",
            "ci-and-release.yaml",
            "audit-only.yaml",
            "vetted.yaml",
            "upstream-sigstore.yaml")) {
      CliRun run =
          CliRun.of("policy", "lint", root.resolve("trust-policies").resolve(example).toString());
      assertEquals(0, run.exitCode(), run.toString());
    }
  }
}
