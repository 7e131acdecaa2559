package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.policy.SignatureRule.Combinator;
import io.portcullis.core.x509.DevPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The documented examples load; each kind of mistake gives its one-line, key-naming message. */
class TrustPolicyLoaderTest {
  private static final Path EXAMPLES = Path.of("..", "trust-policies");

  @TempDir static Path dir;
  static PolicyFiles files;

  @BeforeAll
  static void writeFiles() {
    files = new PolicyFiles(dir);
    files.key("keys/release.pub");
    files.pki("certs/root.crt");
    files.write(
        "keys/bad.pub", "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n");
    files.certificate("certs/leaf.crt", DevPki.generate().signer());
    files.write("pins.yaml", "{}\n");
  }

  private static final String STORES =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [keys/release.pub]}
        release-ca: {type: x509, certificates: [certs/root.crt]}
      """;

  /** A valid document with one policy whose body is {@code body} (indented under the entry). */
  private static String policy(String body) {
    return STORES + "policies:\n  - name: prod\n    scopes: ['**']\n" + body.indent(4);
  }

  @Test
  void documentedExamplesLoad() throws Exception {
    List<Path> examples;
    try (Stream<Path> list = Files.list(EXAMPLES)) {
      examples = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertEquals(6, examples.size(), examples.toString());
    for (Path example : examples) {
      TrustPolicy policy = TrustPolicyLoader.load(example);
      assertTrue(policy.policyFor("anything/at/all").isPresent(), example + " has a catch-all");
      assertEquals(
          policy.files().isEmpty(),
          Digest.sha256(Files.readAllBytes(example)).toString().equals(policy.revision()),
          example + ": the text's digest only when it names no key or certificate file");
    }
    TrustPolicy migrating = TrustPolicyLoader.load(EXAMPLES.resolve("dct-migration.yaml"));
    assertEquals(
        List.of(SignatureType.DCT, SignatureType.COSIGN),
        migrating
            .policyFor("internal/team/app")
            .orElseThrow()
            .signatures()
            .orElseThrow()
            .requirements()
            .stream()
            .map(SignatureRequirement::type)
            .toList());
    TrustPolicy production = TrustPolicyLoader.load(EXAMPLES.resolve("production.yaml"));
    Policy prod = production.policyFor("internal/prod/payments/api").orElseThrow();
    assertEquals("prod", prod.name());
    assertEquals(Mode.ENFORCE, prod.mode());
    assertEquals(new TagRules(false, PinMode.SIGNED, Optional.empty()), prod.tags());
    assertEquals(CheckAction.LOG, prod.verification().expiry());
    assertEquals(CheckAction.ENFORCE, prod.verification().authenticity());
    SignatureRule rule = prod.signatures().orElseThrow();
    assertEquals(Combinator.ANY_OF, rule.combinator());
    assertEquals(
        List.of("cosign release-keys", "notation release-ca"),
        rule.requirements().stream().map(SignatureRequirement::label).toList());
    assertTrue(
        ((X509TrustStore) production.trustStore("release-ca")).tsa().isPresent(), "tsa roots");
    assertEquals("default", production.policyFor("internal/dev/app").orElseThrow().name());
    assertEquals("prod", production.policyFor("docker.io/library/nginx").orElseThrow().name());

    TrustPolicy two = TrustPolicyLoader.load(EXAMPLES.resolve("ci-and-release.yaml"));
    Policy staging = two.policyFor("internal/app-preview").orElseThrow();
    assertEquals("staging", staging.name());
    assertEquals(2, staging.signatures().orElseThrow().required());
    assertEquals(CheckAction.LOG, staging.verification().expiry(), "permissive logs expiry");
    assertEquals(Mode.OFF, two.policyFor("internal/tools/jq").orElseThrow().mode());
    assertEquals(PinMode.FIRST_SEEN, two.policyFor("internal/prod/x").orElseThrow().tags().pin());

    TrustPolicy sigstore = TrustPolicyLoader.load(EXAMPLES.resolve("upstream-sigstore.yaml"));
    Policy upstream = sigstore.policyFor("ghcr.io/myorg/app").orElseThrow();
    SignatureRequirement keyless = upstream.signatures().orElseThrow().requirements().get(0);
    assertTrue(keyless.isKeyless() && keyless.tlogRequired(), "keyless, logged");
    assertTrue(upstream.vetting().attestations().get(0).isKeyless(), "GitHub attestations");
    assertTrue(((SigstoreTrustStore) sigstore.trustStore("public-good")).refreshed());
  }

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of(
            "unknown top-level key",
            STORES + "policy: []\n",
            "policy: unknown key; did you mean 'policies'? known keys here: policies, trustStores,"
                + " version"),
        Arguments.of(
            "unknown policy key",
            STORES + "policies:\n  - name: prod\n    scope: ['**']\n",
            "policies[0].scope: unknown key; did you mean 'scopes'? known keys here:"
                + " attestations, baseImages, config, mode, name, scopes, signatures, sources, tags,"
                + " verification"),
        Arguments.of(
            "unknown mode",
            policy("mode: enforced"),
            "policies[0].mode: unknown mode 'enforced'; use enforce, audit or off"),
        Arguments.of(
            "unknown trust store type",
            "version: 1\ntrustStores:\n  k: {type: gpg, keys: [keys/release.pub]}\n"
                + "policies: [{name: p, scopes: ['**']}]\n",
            "trustStores.k.type: unknown trust store type 'gpg'; use cosign, x509, sigstore or"
                + " notary-v1"),
        Arguments.of(
            "unknown signature type",
            policy("signatures:\n  anyOf: [{type: gpg, trustStore: release-keys}]"),
            "policies[0].signatures.anyOf[0].type: unknown signature type 'gpg'; use cosign,"
                + " notation or dct"),
        Arguments.of(
            "unknown pin mode",
            policy("tags: {pin: always}"),
            "policies[0].tags.pin: unknown pin mode 'always'; use signed, lockfile, first-seen or"
                + " none"),
        Arguments.of(
            "unknown verification action",
            policy("verification: {expiry: warn}"),
            "policies[0].verification.expiry: unknown action 'warn'; use enforce, log or skip"),
        Arguments.of(
            "integrity cannot be relaxed",
            policy("verification: {integrity: log}"),
            "policies[0].verification.integrity: integrity is always enforced; remove the key"),
        Arguments.of(
            "missing key file",
            "version: 1\ntrustStores:\n  k: {type: cosign, keys: [keys/missing.pub]}\n"
                + "policies: [{name: p, scopes: ['**']}]\n",
            "trustStores.k.keys[0]: keys/missing.pub not found ({dir}/keys/missing.pub); paths are"
                + " relative to the policy file"),
        Arguments.of(
            "unreadable key",
            "version: 1\ntrustStores:\n  k: {type: cosign, keys: [keys/bad.pub]}\n"
                + "policies: [{name: p, scopes: ['**']}]\n",
            "trustStores.k.keys[0]: keys/bad.pub is not a usable PEM public key: *"),
        Arguments.of(
            "certificate that is no CA",
            "version: 1\ntrustStores:\n  ca: {type: x509, certificates: [certs/leaf.crt]}\n"
                + "policies: [{name: p, scopes: ['**']}]\n",
            "trustStores.ca.certificates: trust store ca/ca: certificate 'C=US,ST=WA,O=Portcullis"
                + " Dev,CN=Portcullis Dev Signer' is neither a CA certificate nor a"
                + " self-signed signing certificate; list only root or intermediate CA"
                + " certificates"),
        Arguments.of(
            "a key file given as certificate",
            "version: 1\ntrustStores:\n  ca: {type: x509, certificates: [keys/release.pub]}\n"
                + "policies: [{name: p, scopes: ['**']}]\n",
            "trustStores.ca.certificates[0]: keys/release.pub *"),
        Arguments.of(
            "empty scopes",
            STORES + "policies:\n  - {name: prod, scopes: []}\n",
            "policies[0].scopes: is empty; list repository globs such as 'team/app/**' or '**'"),
        Arguments.of(
            "blank scope",
            STORES + "policies:\n  - {name: prod, scopes: ['']}\n",
            "policies[0].scopes[0]: scope is empty; use a repository path glob such as"
                + " 'team/app/**' or '**'"),
        Arguments.of(
            "'**' inside a segment",
            STORES + "policies:\n  - {name: prod, scopes: ['team/app**']}\n",
            "policies[0].scopes[0]: 'team/app**': '**' must be a whole path segment (use '*'"
                + " within a segment)"),
        Arguments.of(
            "duplicate policy names",
            STORES
                + "policies:\n  - {name: prod, scopes: ['a/**']}\n"
                + "  - {name: prod, scopes: ['b/**']}\n",
            "policies[1].name: 'prod' is already the name of another policy; names must be"
                + " unique"),
        Arguments.of(
            "identical scopes in two policies",
            STORES
                + "policies:\n  - {name: prod, scopes: ['a/**']}\n"
                + "  - {name: other, scopes: ['b/**', 'a/**']}\n",
            "policies[1].scopes[1]: 'a/**' is also a scope of policy 'prod', so both would match"
                + " with equal specificity; keep it in one policy"),
        Arguments.of(
            "threshold above the number of requirements",
            policy(
                "signatures:\n  threshold:\n    n: 3\n    of:\n"
                    + "      - {type: cosign, trustStore: release-keys}\n"
                    + "      - {type: notation, trustStore: release-ca, identities: ['*']}"),
            "policies[0].signatures.threshold.n: 3 is out of range; use 1 to 2 (the number of"
                + " 'of' entries)"),
        Arguments.of(
            "threshold of zero",
            policy(
                "signatures: {threshold: {n: 0, of: [{type: cosign, trustStore: release-keys}]}}"),
            "policies[0].signatures.threshold.n: 0 is out of range; use 1 to 1 (the number of"
                + " 'of' entries)"),
        Arguments.of(
            "two combinators",
            policy(
                "signatures:\n  anyOf: [{type: cosign, trustStore: release-keys}]\n"
                    + "  allOf: [{type: cosign, trustStore: release-keys}]"),
            "policies[0].signatures: give exactly one of anyOf, allOf or threshold (found anyOf,"
                + " allOf)"),
        Arguments.of(
            "identity that does not parse",
            policy(
                "signatures:\n  anyOf:\n    - type: notation\n      trustStore: release-ca\n"
                    + "      identities: ['x509.subject: CN=Release']"),
            "policies[0].signatures.anyOf[0].identities[0]: trusted identity 'x509.subject:"
                + " CN=Release' must name C, ST and O (missing C)"),
        Arguments.of(
            "notation without identities",
            policy("signatures:\n  anyOf: [{type: notation, trustStore: release-ca}]"),
            "policies[0].signatures.anyOf[0].identities: is required; list trusted signers such"
                + " as 'x509.subject: C=US, ST=WA, O=Example, CN=Release', or '*' for any signer"
                + " the trust store vouches for"),
        Arguments.of(
            "undefined trust store",
            policy(
                "signatures:\n  anyOf:\n    - {type: cosign, trustStore: release-keys}\n"
                    + "    - {type: notation, trustStore: release-cx, identities: ['*']}"),
            "policies[0].signatures.anyOf[1].trustStore: 'release-cx' is not defined in"
                + " trustStores (defined: release-ca, release-keys)"),
        Arguments.of(
            "notation requirement on a cosign store",
            policy(
                "signatures:\n  anyOf: [{type: notation, trustStore: release-keys,"
                    + " identities: ['*']}]"),
            "policies[0].signatures.anyOf[0].trustStore: 'release-keys' is a cosign store, but a"
                + " notation requirement needs a store of type x509 (defined: release-ca)"),
        Arguments.of(
            "cosign requirement on an x509 store",
            policy("signatures:\n  allOf: [{type: cosign, trustStore: release-ca}]"),
            "policies[0].signatures.allOf[0].trustStore: 'release-ca' is a x509 store, but a"
                + " cosign requirement needs a store of type cosign or sigstore (defined: release-keys)"),
        Arguments.of(
            "identities on a cosign requirement",
            policy(
                "signatures:\n  anyOf: [{type: cosign, trustStore: release-keys,"
                    + " identities: ['*']}]"),
            "policies[0].signatures.anyOf[0].identities: applies to notation requirements and to"
                + " cosign requirements naming a sigstore store; a cosign key is its own identity"),
        Arguments.of(
            "lockfile missing",
            policy("tags: {pin: lockfile, lockfile: missing.yaml}"),
            "policies[0].tags.lockfile: missing.yaml not found ({dir}/missing.yaml); paths are"
                + " relative to the policy file"),
        Arguments.of(
            "lockfile without pin: lockfile",
            policy("tags: {pin: signed, lockfile: pins.yaml}"),
            "policies[0].tags.lockfile: applies only with pin: lockfile; remove it or set pin"),
        Arguments.of(
            "allowLatest not a boolean",
            policy("tags: {allowLatest: sometimes}"),
            "policies[0].tags.allowLatest: must be true or false, found 'sometimes'"),
        Arguments.of(
            "unsupported version",
            "version: 2\npolicies: [{name: p, scopes: ['**']}]\n",
            "version: unsupported version 2; this gateway reads 1"),
        Arguments.of(
            "no policies",
            "version: 1\n",
            "policies: is required; list at least one policy, e.g. {name: default, scopes:"
                + " ['**'], mode: audit}"),
        Arguments.of(
            "duplicate YAML key",
            "version: 1\nversion: 1\n",
            "not valid YAML: line 2, column 8: duplicate key 'version'"),
        Arguments.of("broken YAML", "version: [1\n", "not valid YAML: *"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void invalidPolicyGivesOneLineMessageNamingTheKey(String what, String yaml, String expected) {
    PolicyException e = assertThrows(PolicyException.class, () -> files.parse(yaml));
    assertEquals("test.yaml", e.source());
    PolicyFiles.assertOneLineMessage(expected.replace("{dir}", dir.toString()), e.getMessage());
  }

  @Test
  void defaultsAreFailClosedAndDocumented() {
    Policy p = files.parse(STORES + "policies: [{name: p, scopes: ['**']}]\n").policies().get(0);
    assertEquals(Mode.ENFORCE, p.mode());
    assertEquals(TagRules.DEFAULT, p.tags());
    assertEquals(VerificationActions.STRICT, p.verification());
    assertTrue(p.signatures().isEmpty());
  }

  @Test
  void bareOffIsModeOffEvenThoughYamlReadsItAsFalse() {
    assertEquals(Mode.OFF, files.parse(policy("mode: off")).policies().get(0).mode());
    PolicyException e = assertThrows(PolicyException.class, () -> files.parse(policy("mode: on")));
    assertEquals("policies[0].mode: unknown mode true; use enforce, audit or off", e.getMessage());
  }

  @Test
  void lockfileResolvesAgainstThePolicyDirectory() {
    Policy p = files.parse(policy("tags: {pin: lockfile, lockfile: pins.yaml}")).policies().get(0);
    assertEquals(Optional.of(dir.resolve("pins.yaml")), p.tags().lockfile());
  }

  @Test
  void latestTagDeniedOnlyWhenThePolicySaysSo() {
    Policy strict = files.parse(policy("tags: {allowLatest: false}")).policies().get(0);
    assertFalse(strict.tagAllowed("latest"));
    assertTrue(strict.tagAllowed("v1.2.3"));
    assertEquals(
        "denied by policy 'prod': tag 'latest' is not allowed (tags.allowLatest: false) — pull a"
            + " version tag or a digest",
        strict.tagDenial("latest").orElseThrow());
    assertTrue(files.parse(policy("")).policies().get(0).tagAllowed("latest"));
  }

  @Test
  void replacingAKeyOrCertificateFileIsANewRevision() {
    PolicyFiles own = new PolicyFiles(dir.resolve("rotation"));
    own.key("keys/release.pub");
    own.pki("certs/root.crt");
    String yaml = policy("mode: enforce");
    TrustPolicy before = own.parse(yaml);
    assertEquals(
        List.of(own.dir().resolve("keys/release.pub"), own.dir().resolve("certs/root.crt")),
        before.files());
    own.pki("certs/root.crt");
    TrustPolicy newCa = own.parse(yaml);
    own.key("keys/release.pub");
    TrustPolicy newKey = own.parse(yaml);
    assertEquals(
        3,
        java.util.Set.of(before.revision(), newCa.revision(), newKey.revision()).size(),
        "a replaced certificate or key changes the revision of the same policy text");
    assertEquals(newKey.revision(), own.parse(yaml).revision(), "and the same files do not");
  }

  @Test
  void missingPolicyFileNamesIt() {
    PolicyException e =
        assertThrows(PolicyException.class, () -> TrustPolicyLoader.load(dir.resolve("nope.yaml")));
    assertEquals("policy file " + dir.resolve("nope.yaml") + " not found", e.getMessage());
  }
}
