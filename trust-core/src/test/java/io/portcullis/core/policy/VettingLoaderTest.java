package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.vet.AttestationKind;
import io.portcullis.core.vet.AttestationRule;
import io.portcullis.core.vet.ConfigRules;
import io.portcullis.core.vet.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vetting keys of a policy: what loads, and the one-line error naming the key for what not. */
class VettingLoaderTest {
  @TempDir static Path dir;
  static PolicyFiles files;

  @BeforeAll
  static void writeFiles() {
    files = new PolicyFiles(dir);
    files.key("release.pub");
    files.pki("root.crt");
  }

  private static TrustPolicy parse(String body) {
    return files.parse(
        """
        version: 1
        trustStores:
          release-keys: {type: cosign, keys: [release.pub]}
          release-ca: {type: x509, certificates: [root.crt]}
        policies:
          - name: vetted
            scopes: ['team/**']
        """
            + body.indent(4));
  }

  @Test
  void theIssueExampleLoads() {
    Policy p =
        parse(
                """
                signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
                config:
                  nonRoot: true
                  noSecretsInEnv: true
                  allowedPorts: [8080, 8443]
                  requiredLabels: [org.opencontainers.image.source]
                  maxAge: 180d
                sources: {allow: ["internal/**", "docker.io/library/*"]}
                baseImages: {allow: ["docker.io/library/alpine*"]}
                attestations:
                  - {type: vuln, trustStore: release-keys, failOn: HIGH, maxAge: 7d}
                  - {type: slsaprovenance, trustStore: release-keys, builderId: "https://ci.example/b"}
                """)
            .policies()
            .get(0);
    assertEquals(
        Optional.of(
            new ConfigRules(
                true,
                true,
                Optional.of(List.of(8080, 8443)),
                List.of("org.opencontainers.image.source"),
                Optional.of(Duration.ofDays(180)))),
        p.vetting().config());
    assertEquals(
        List.of("internal/**", "docker.io/library/*"),
        p.vetting().sources().stream().map(ScopePattern::glob).toList());
    assertEquals(
        List.of(
            new AttestationRule(
                AttestationKind.VULN,
                "release-keys",
                Optional.of(Severity.HIGH),
                Optional.of(Duration.ofDays(7)),
                Optional.empty()),
            new AttestationRule(
                AttestationKind.SLSAPROVENANCE,
                "release-keys",
                Optional.empty(),
                Optional.empty(),
                Optional.of("https://ci.example/b"))),
        p.vetting().attestations());
    assertTrue(p.needsImageConfig());
    assertTrue(p.needsAttestations());
  }

  @Test
  void whatEachPolicyNeedsFetched() {
    Policy signaturesOnly =
        parse("signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}").policies().get(0);
    assertFalse(signaturesOnly.needsImageConfig());
    assertFalse(signaturesOnly.needsAttestations());
    assertEquals(VetRules.NONE, signaturesOnly.vetting());
    Policy baseOnly = parse("baseImages: {allow: ['docker.io/library/*']}").policies().get(0);
    assertTrue(baseOnly.needsImageConfig());
    assertFalse(baseOnly.needsAttestations());
    Policy off =
        parse("mode: off\nattestations: [{type: vuln, trustStore: release-keys}]")
            .policies()
            .get(0);
    assertFalse(off.needsAttestations(), "an off policy fetches nothing");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'attestations: [{type: vuln, trustStore: release-keys, failOn: SEVERE}]'"
            + "|policies[0].attestations[0].failOn: unknown severity 'SEVERE'",
        "'attestations: [{type: vuln, trustStore: release-keys, maxAge: 7days}]'"
            + "|policies[0].attestations[0].maxAge: '7days' is not a duration",
        "'config: {maxAge: 6 months}'|policies[0].config.maxAge: '6 months' is not a duration",
        "'sources: {allow: [\"Internal/**\"]}'|policies[0].sources.allow[0]: 'Internal/**' has",
        "'baseImages: {allow: [\"a/**x\"]}'|policies[0].baseImages.allow[0]: 'a/**x': '**' must",
        "'attestations: [{type: sbom, trustStore: release-keys}]'"
            + "|policies[0].attestations[0].type: unknown attestation type 'sbom'",
        "'attestations: [{type: vuln, trustStore: release-ca}]'"
            + "|policies[0].attestations[0].trustStore: 'release-ca' is a x509 store",
        "'attestations: [{type: vuln, trustStore: nope}]'"
            + "|policies[0].attestations[0].trustStore: 'nope' is not defined",
        "'attestations: [{type: vuln, trustStore: release-keys, builderId: x}]'"
            + "|policies[0].attestations[0].builderId: applies to slsaprovenance only",
        "'attestations: [{type: slsaprovenance, trustStore: release-keys, failOn: HIGH}]'"
            + "|policies[0].attestations[0].failOn: applies to vuln only",
        "'config: {nonroot: true}'|policies[0].config.nonroot: unknown key; did you mean 'nonRoot'?",
        "'config: {nonRoot: yes please}'|policies[0].config.nonRoot: must be true or false",
        "'config: {allowedPorts: [80, 70000]}'|policies[0].config.allowedPorts[1]: 70000 is not a",
        "'sources: [\"internal/**\"]'|policies[0].sources: must be a mapping with keys allow",
      })
  void invalidVettingIsOneLineNamingTheKey(String body, String expected) {
    PolicyException e = assertThrows(PolicyException.class, () -> parse(body));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }
}
