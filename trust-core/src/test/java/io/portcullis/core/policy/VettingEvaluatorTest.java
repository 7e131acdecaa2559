package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.dsse.CosignAttestations;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.dsse.PredicateTypes;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Vetting rules through the evaluator: each rule is a check of the decision, enforce denies and
 * audit records, the denial names the rule and the field, and a secret's value never appears.
 */
class VettingEvaluatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Digest IMAGE = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  @TempDir static Path dir;
  static PolicyFiles files;
  static KeyPair release;
  static KeyPair stranger;

  @BeforeAll
  static void keys() {
    files = new PolicyFiles(dir);
    release = files.key("release.pub");
    stranger = files.key("stranger.pub");
  }

  private static PolicyDecision decide(String body, Evidence evidence) {
    TrustPolicy trust =
        files.parse(
            """
            version: 1
            trustStores:
              release-keys: {type: cosign, keys: [release.pub]}
            policies:
              - name: vetted
                scopes: ['**']
            """
                + body.indent(4));
    return new PolicyEvaluator(trust, Clock.fixed(NOW, ZoneOffset.UTC))
        .evaluate(trust.policies().get(0), evidence);
  }

  /**
   * A config whose fields are the {@code key=value} pairs given (User, Env, port, label, created).
   */
  static byte[] config(String... fields) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode config = root.putObject("config");
    root.put("created", "2026-05-01T00:00:00Z");
    for (String field : fields) {
      String[] kv = field.split("=", 2);
      switch (kv[0]) {
        case "User" -> config.put("User", kv[1]);
        case "Env" -> config.withArray("Env").add(kv[1]);
        case "Port" -> config.withObject("ExposedPorts").putObject(kv[1]);
        case "Label" -> {
          String[] label = kv[1].split("=", 2);
          config.withObject("Labels").put(label[0], label[1]);
        }
        case "created" -> root.put("created", kv[1]);
        default -> throw new IllegalArgumentException(field);
      }
    }
    return JSON.valueToTree(root).toString().getBytes(StandardCharsets.UTF_8);
  }

  static Evidence withConfigs(String repository, ImageConfigEvidence... configs) {
    return new Evidence(repository, IMAGE, List.of(), List.of(), List.of(configs), List.of());
  }

  static Evidence withConfig(byte[] config) {
    return withConfigs("team/app", new ImageConfigEvidence("", config));
  }

  static Evidence withAttestations(AttachmentLayer... layers) {
    return new Evidence(
        "team/app",
        IMAGE,
        List.of(),
        List.of(),
        List.of(),
        List.of(PolicyEvaluatorTest.cosignSignatures(layers)));
  }

  static CheckResult check(PolicyDecision decision, String name) {
    return decision.checks().stream()
        .filter(c -> c.check().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no check " + name + " in " + decision.checks()));
  }

  @ParameterizedTest(name = "User ''{0}'' allowed {1}")
  @CsvSource({
    "'',false",
    "0,false",
    "root,false",
    "0:0,false",
    "root:root,false",
    "0:1000,false",
    "1000,true",
    "1000:1000,true",
    "app,true"
  })
  void nonRoot(String user, boolean allowed) {
    PolicyDecision d = decide("config: {nonRoot: true}", withConfig(config("User=" + user)));
    assertEquals(allowed, d.allowed(), d.message());
    assertEquals(allowed ? Outcome.PASSED : Outcome.FAILED, check(d, "config.nonRoot").outcome());
    if (!allowed) {
      assertTrue(
          d.message().startsWith("denied by policy 'vetted': config.nonRoot: "), d.message());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "AWS_SECRET_ACCESS_KEY|" + SECRET,
        "DATABASE_PASSWORD|" + SECRET,
        "CI_JOB_TOKEN|" + SECRET,
        "MY_API_KEY|" + SECRET,
        "AWS_KEY_ID|AKIAIOSFODNN7EXAMPLE",
        "SIGNING_PEM|-----BEGIN EC PRIVATE KEY-----MHcCAQEEIO",
        "GH_AUTH|ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
        "GL_AUTH|glpat-aBcDeFgHiJkLmNoPqRsT",
        "SESSION|eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJleGFtcGxlIn0.c2lnbmF0dXJl",
      })
  void secretsDenyNamingTheVariableAndNeverTheValue(String name, String value) {
    PolicyDecision d =
        decide(
            "config: {noSecretsInEnv: true}",
            withConfig(config("User=1000", "Env=PATH=/usr/bin", "Env=" + name + "=" + value)));
    assertFalse(d.allowed());
    assertTrue(
        d.message().startsWith("denied by policy 'vetted': config.noSecretsInEnv: " + name + " ("),
        d.message());
    assertFalse(d.message().contains(value), d.message());
    for (CheckResult c : d.checks()) {
      assertFalse(c.reason().contains(value), c.toString());
      assertFalse(c.check().contains(value), c.toString());
    }
  }

  @Test
  void cleanEnvironmentPasses() {
    PolicyDecision d =
        decide(
            "config: {noSecretsInEnv: true}",
            withConfig(config("Env=PATH=/usr/bin", "Env=JAVA_HOME=/opt/java")));
    assertTrue(d.satisfied(), d.message());
    assertEquals(Outcome.PASSED, check(d, "config.noSecretsInEnv").outcome());
  }

  @ParameterizedTest(name = "ports {0}: allowed {1}")
  @CsvSource({"8080/tcp,true", "8443/tcp,true", "22/tcp,false"})
  void allowedPorts(String port, boolean allowed) {
    PolicyDecision d =
        decide("config: {allowedPorts: [8080, 8443]}", withConfig(config("Port=" + port)));
    assertEquals(allowed, d.allowed(), d.message());
    if (!allowed) {
      assertTrue(d.message().contains("config.allowedPorts: exposes 22/tcp"), d.message());
    }
  }

  @Test
  void emptyAllowedPortsForbidsEveryPort() {
    assertFalse(decide("config: {allowedPorts: []}", withConfig(config("Port=80/tcp"))).allowed());
    assertTrue(decide("config: {allowedPorts: []}", withConfig(config())).allowed());
  }

  @ParameterizedTest(name = "{0}: allowed {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Label=org.opencontainers.image.source=https://git.example/app|true",
        "Label=org.opencontainers.image.source=|false",
        "Label=other=x|false"
      })
  void requiredLabels(String label, boolean allowed) {
    PolicyDecision d =
        decide(
            "config: {requiredLabels: [org.opencontainers.image.source]}",
            withConfig(config(label)));
    assertEquals(allowed, d.allowed(), d.message());
    if (!allowed) {
      assertTrue(
          d.message().contains("config.requiredLabels: missing label org.opencontainers"),
          d.message());
    }
  }

  @ParameterizedTest(name = "created {0} under maxAge 30d: allowed {1}")
  @CsvSource({
    "2026-05-20T00:00:00Z,true",
    "2026-05-02T13:00:00Z,true",
    "2026-04-01T00:00:00Z,false"
  })
  void maxAge(String created, boolean allowed) {
    PolicyDecision d = decide("config: {maxAge: 30d}", withConfig(config("created=" + created)));
    assertEquals(allowed, d.allowed(), d.message());
    if (!allowed) {
      assertTrue(
          d.message().contains("config.maxAge: created 2026-04-01T00:00:00Z is 61d old"),
          d.message());
    }
  }

  @ParameterizedTest(name = "{0} from [internal/**, docker.io/library/*]: {1}")
  @CsvSource({
    "internal/app,true",
    "internal/a/b/c,true",
    "docker.io/library/nginx,true",
    "docker.io/library/x/y,false",
    "docker.io/bitnami/nginx,false",
    "internalx/app,false",
  })
  void sources(String repository, boolean allowed) {
    PolicyDecision d =
        decide(
            "sources: {allow: ['internal/**', 'docker.io/library/*']}",
            new Evidence(repository, IMAGE, List.of(), List.of()));
    assertEquals(allowed, d.allowed(), d.message());
    assertEquals(allowed ? Outcome.PASSED : Outcome.FAILED, check(d, "sources").outcome());
  }

  @ParameterizedTest(name = "base ''{0}'': allowed {1}")
  @CsvSource({
    "docker.io/library/alpine:3.19,true",
    "docker.io/library/alpine,true",
    "docker.io/library/alpine@sha256:0123,true",
    "docker.io/library/alpinelinux:edge,true",
    "docker.io/library/ubuntu:24.04,false",
    "docker.io/evil/alpine:3.19,false",
    "'',false",
  })
  void baseImages(String base, boolean allowed) {
    byte[] cfg =
        base.isEmpty() ? config() : config("Label=" + ConfigEvaluator.BASE_NAME + "=" + base);
    PolicyDecision d =
        decide("baseImages: {allow: ['docker.io/library/alpine*']}", withConfig(cfg));
    assertEquals(allowed, d.allowed(), d.message());
    if (base.isEmpty()) {
      assertTrue(
          d.message().contains("baseImages: label org.opencontainers.image.base.name is missing"),
          d.message());
    }
  }

  @Test
  void onePlatformFailingFailsTheImageAndIsNamed() {
    Evidence evidence =
        withConfigs(
            "team/app",
            new ImageConfigEvidence("linux/amd64", config("User=1000")),
            new ImageConfigEvidence("linux/arm64", config("User=root")));
    PolicyDecision d = decide("config: {nonRoot: true}", evidence);
    assertFalse(d.allowed());
    assertEquals(
        "linux/arm64: User 'root' is root; set USER to a non-root uid",
        check(d, "config.nonRoot").reason());
    Evidence good =
        withConfigs(
            "team/app",
            new ImageConfigEvidence("linux/amd64", config("User=1000")),
            new ImageConfigEvidence("linux/arm64", config("User=1000")));
    PolicyDecision ok = decide("config: {nonRoot: true}", good);
    assertTrue(ok.allowed(), ok.message());
    assertEquals("holds for 2 platforms", check(ok, "config.nonRoot").reason());
  }

  @Test
  void missingConfigFailsClosed() {
    PolicyDecision d =
        decide("config: {nonRoot: true}", new Evidence("team/app", IMAGE, List.of(), List.of()));
    assertFalse(d.allowed());
    assertTrue(check(d, "config.nonRoot").reason().contains("not fetched"), d.message());
  }

  @Test
  void auditModeRecordsButAllows() {
    PolicyDecision d =
        decide(
            "mode: audit\nconfig: {nonRoot: true, noSecretsInEnv: true}",
            withConfig(config("User=0", "Env=AWS_SECRET_ACCESS_KEY=" + SECRET)));
    assertTrue(d.allowed());
    assertFalse(d.satisfied());
    assertEquals(2, d.failures().size(), d.checks().toString());
    assertTrue(
        d.message().startsWith("allowed by policy 'vetted' in audit mode, though not satisfied"),
        d.message());
    assertFalse(d.message().contains(SECRET));
  }

  @Test
  void signatureAndVettingFailuresAreBothReported() {
    PolicyDecision d =
        decide(
            "signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}\n"
                + "config: {nonRoot: true}",
            withConfig(config("User=0")));
    assertFalse(d.allowed());
    assertTrue(d.message().contains("no signature satisfies anyOf"), d.message());
    assertTrue(d.message().contains("vetting also failed: config.nonRoot"), d.message());
  }

  // --- attestations

  static JsonNode fixture(String name) {
    try (InputStream in = VettingEvaluatorTest.class.getResourceAsStream("/vet/" + name)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode vuln(String report, Instant finished) {
    ObjectNode p = JSON.createObjectNode();
    ObjectNode scanner = p.putObject("scanner").put("uri", "pkg:github/aquasecurity/trivy");
    scanner.set("result", fixture(report));
    p.putObject("metadata")
        .put("scanStartedOn", finished.minusSeconds(60).toString())
        .put("scanFinishedOn", finished.toString());
    return p;
  }

  static AttachmentLayer attest(KeyPair key, String predicateType, JsonNode predicate) {
    return attest(key, IMAGE, predicateType, predicate);
  }

  static AttachmentLayer attest(KeyPair key, Digest about, String type, JsonNode predicate) {
    return CosignAttestations.attest(
        InTotoStatement.about("registry.example/team/app", about, type, predicate),
        Signers.forPrivateKey(key.getPrivate()),
        "");
  }

  static AttachmentLayer unsigned(String predicateType, JsonNode predicate) {
    InTotoStatement s =
        InTotoStatement.about("registry.example/team/app", IMAGE, predicateType, predicate);
    byte[] envelope =
        new DsseEnvelope(DsseEnvelope.IN_TOTO_PAYLOAD_TYPE, s.toJson(), List.of()).toJson();
    return AttachmentLayer.create(DsseEnvelope.MEDIA_TYPE, envelope, Map.of());
  }

  private static final String VULN_RULE =
      "attestations: [{type: vuln, trustStore: release-keys, failOn: HIGH, maxAge: 7d}]";
  private static final String VULN_CHECK = "attestations[0] vuln release-keys";

  static PolicyDecision vulnDecision(Evidence evidence) {
    return decide(VULN_RULE, evidence);
  }

  @Test
  void freshCleanSignedScanPasses() {
    PolicyDecision d =
        vulnDecision(
            withAttestations(
                attest(
                    release,
                    PredicateTypes.COSIGN_VULN,
                    vuln("trivy-clean.json", NOW.minusSeconds(3600)))));
    assertTrue(d.allowed(), d.message());
    assertEquals(Outcome.PASSED, check(d, VULN_CHECK).outcome());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "trivy-with-critical.json|1|trivy found 1 CRITICAL, 1 HIGH (failOn HIGH)",
        "grype-with-high.json|1|grype found 1 HIGH (failOn HIGH)",
        "grype-low-only.json|1|",
        "trivy-clean.json|8|stale: the newest scan finished",
        "trivy-clean.json|40|, 40d ago, over maxAge 7d",
      })
  void scanFindingsAndFreshness(String report, int daysOld, String reason) {
    Instant finished = NOW.minus(Duration.ofDays(daysOld));
    PolicyDecision d =
        vulnDecision(
            withAttestations(attest(release, PredicateTypes.COSIGN_VULN, vuln(report, finished))));
    CheckResult c = check(d, VULN_CHECK);
    if (reason == null) {
      assertEquals(Outcome.PASSED, c.outcome(), c.reason());
    } else {
      assertEquals(Outcome.FAILED, c.outcome());
      assertTrue(c.reason().contains(reason), c.reason());
      assertTrue(d.message().contains(VULN_CHECK + ": "), d.message());
    }
  }

  @Test
  void theNewestScanDecides() {
    AttachmentLayer old =
        attest(
            release,
            PredicateTypes.COSIGN_VULN,
            vuln("trivy-with-critical.json", NOW.minus(Duration.ofDays(3))));
    AttachmentLayer rescan =
        attest(
            release,
            PredicateTypes.COSIGN_VULN,
            vuln("trivy-clean.json", NOW.minus(Duration.ofDays(1))));
    assertTrue(vulnDecision(withAttestations(old, rescan)).allowed());
    assertFalse(
        vulnDecision(
                withAttestations(
                    rescan,
                    attest(
                        release,
                        PredicateTypes.COSIGN_VULN,
                        vuln("trivy-with-critical.json", NOW.minusSeconds(60)))))
            .allowed());
  }

  @Test
  void manyAttestationsAreBoundedKeepingTheNewest() {
    int count = AttestationEvaluator.MAX_LAYERS + 6;
    AttachmentLayer[] layers = new AttachmentLayer[count];
    for (int i = 0; i < count - 1; i++) {
      // each older scan has a finding, so only the last one can pass
      layers[i] =
          attest(
              release,
              PredicateTypes.COSIGN_VULN,
              vuln("trivy-with-critical.json", NOW.minus(Duration.ofDays(6)).plusSeconds(i)));
    }
    layers[count - 1] =
        attest(release, PredicateTypes.COSIGN_VULN, vuln("trivy-clean.json", NOW.minusSeconds(5)));
    PolicyDecision d = vulnDecision(withAttestations(layers));
    assertTrue(d.allowed(), d.message());
  }

  @Test
  void missingUnsignedUntrustedAndWrongSubjectFailSayingWhich() {
    JsonNode clean = vuln("trivy-clean.json", NOW.minusSeconds(60));
    assertTrue(
        check(vulnDecision(withConfigs("team/app")), VULN_CHECK)
            .reason()
            .startsWith("no vuln attestation found"));
    assertTrue(
        check(
                vulnDecision(withAttestations(unsigned(PredicateTypes.COSIGN_VULN, clean))),
                VULN_CHECK)
            .reason()
            .startsWith("the vuln attestation is unsigned"));
    String untrusted =
        check(
                vulnDecision(withAttestations(attest(stranger, PredicateTypes.COSIGN_VULN, clean))),
                VULN_CHECK)
            .reason();
    assertTrue(
        untrusted.startsWith(
            "no vuln attestation verifies with a key of 'release-keys' (attestation signature does not verify"),
        untrusted);
    Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
    String subject =
        check(
                vulnDecision(
                    withAttestations(attest(release, other, PredicateTypes.COSIGN_VULN, clean))),
                VULN_CHECK)
            .reason();
    assertTrue(subject.contains("do not include image " + IMAGE), subject);
    // a provenance attestation is not a scan
    assertTrue(
        check(
                vulnDecision(
                    withAttestations(attest(release, PredicateTypes.SLSA_PROVENANCE_V1, clean))),
                VULN_CHECK)
            .reason()
            .startsWith("no vuln attestation found"));
  }

  @ParameterizedTest(name = "{0} builder {1}: passes {2}")
  @CsvSource({
    "v0.2,https://ci.example/builder,true",
    "v0.2,https://ci.example/other,false",
    "v1,https://ci.example/builder,true",
    "v1,https://ci.example/other,false",
  })
  void slsaBuilderId(String version, String builder, boolean passes) throws IOException {
    String type =
        version.equals("v1")
            ? PredicateTypes.SLSA_PROVENANCE_V1
            : PredicateTypes.SLSA_PROVENANCE_V02;
    JsonNode predicate =
        version.equals("v1")
            ? JSON.readTree("{\"runDetails\":{\"builder\":{\"id\":\"" + builder + "\"}}}")
            : JSON.readTree("{\"builder\":{\"id\":\"" + builder + "\"}}");
    PolicyDecision d =
        decide(
            "attestations: [{type: slsaprovenance, trustStore: release-keys, builderId: 'https://ci.example/builder'}]",
            withAttestations(attest(release, type, predicate)));
    assertEquals(passes, d.allowed(), d.message());
    if (!passes) {
      assertTrue(
          d.message()
              .contains(
                  "attestations[0] slsaprovenance release-keys: provenance builder ['https://ci.example/other'] is not 'https://ci.example/builder'"),
          d.message());
    }
  }

  @Test
  void auditModeRecordsAMissingScan() {
    PolicyDecision d = decide("mode: audit\n" + VULN_RULE, withConfigs("team/app"));
    assertTrue(d.allowed());
    assertEquals(Outcome.FAILED, check(d, VULN_CHECK).outcome());
  }
}
