package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.dct.SignedTag;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.x509.DevPki;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code notary-v1} trust store and the {@code dct} requirement: how they load, the one-line
 * message of each mistake, and how the evaluator reads the DCT evidence a caller collected.
 */
class DctPolicyTest {
  private static final String ROOT_ID =
      "b764d2b8e1c1f5fd1f6b2e7c3f4d3b3cbd1f0e5e7b8c0d3f1a2b3c4d5e6f7a8b";
  private static final Digest IMAGE =
      Digest.sha256("{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8));
  private static final Digest OTHER = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));

  @TempDir static Path dir;
  static PolicyFiles files;

  @BeforeAll
  static void writeFiles() {
    files = new PolicyFiles(dir);
    files.key("keys/release.pub");
    files.pki("certs/ca.crt");
    files.certificate("certs/root.pem", DevPki.generate().root());
    files.write("notary.creds", "robot:s3cret\n");
    files.write("bad.creds", "no colon here\n");
  }

  private static final String STORES =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [keys/release.pub]}
        dct-prod:
          type: notary-v1
          server: https://notary.example.com:4443
          caFile: certs/ca.crt
          credentialsFile: notary.creds
          rootKeys: [certs/root.pem, %s]
        dct-tofu: {type: notary-v1, server: https://notary.example.com, gun: 'notary.corp/{repository}'}
      """
          .formatted(ROOT_ID);

  private static String policy(String signatures) {
    return STORES
        + "policies:\n  - name: prod\n    scopes: ['**']\n    signatures:\n"
        + signatures.indent(6);
  }

  @Test
  void storeAndRequirementLoadWithDockersDefaults() {
    TrustPolicy loaded =
        files.parse(
            policy(
                "anyOf: [{type: dct, trustStore: dct-tofu}, {type: cosign, trustStore: release-keys}]"));
    NotaryTrustStore pinned = (NotaryTrustStore) loaded.trustStore("dct-prod");
    assertEquals(URI.create("https://notary.example.com:4443"), pinned.server());
    assertEquals(Optional.of(dir.resolve("certs/ca.crt")), pinned.caFile());
    assertEquals(Optional.of(dir.resolve("notary.creds")), pinned.credentialsFile());
    assertEquals(Set.of(ROOT_ID), pinned.rootKeys().orElseThrow().keyIds());
    assertEquals(1, pinned.rootKeys().orElseThrow().keys().size());
    assertEquals(
        "registry.corp:5000/team/app", pinned.gun("registry.corp:5000", "team/app").value());

    NotaryTrustStore tofu = (NotaryTrustStore) loaded.trustStore("dct-tofu");
    assertTrue(tofu.rootKeys().isEmpty(), "no rootKeys: trust on first use");
    assertEquals("notary.corp/team/app", tofu.gun("registry.corp:5000", "team/app").value());

    SignatureRequirement dct =
        loaded.policies().get(0).signatures().orElseThrow().requirements().get(0);
    assertEquals(SignatureType.DCT, dct.type());
    assertEquals(DctVerifier.DOCKER_ROLES, dct.roles());
    assertTrue(loaded.policies().get(0).signatureTypes().contains(SignatureType.DCT));
  }

  @Test
  void rolesAreKeptInTheirOrder() {
    TrustPolicy loaded =
        files.parse(
            policy("allOf: [{type: dct, trustStore: dct-prod, roles: [targets/releases]}]"));
    assertEquals(
        List.of("targets/releases"),
        loaded.policies().get(0).signatures().orElseThrow().requirements().get(0).roles());
  }

  static Stream<Arguments> invalid() {
    String head = "version: 1\ntrustStores:\n  n: ";
    String tail = "\npolicies: [{name: p, scopes: ['**']}]\n";
    return Stream.of(
        Arguments.of(
            "no server",
            head + "{type: notary-v1}" + tail,
            "trustStores.n.server: is required; give the Notary server's URL, e.g."
                + " https://notary.example.com"),
        Arguments.of(
            "not an http URL",
            head + "{type: notary-v1, server: 'ftp://notary'}" + tail,
            "trustStores.n.server: 'ftp://notary' is not an http(s) URL of a Notary server, e.g."
                + " https://notary.corp:4443"),
        Arguments.of(
            "unknown key",
            head + "{type: notary-v1, server: 'https://n', rootKey: [x]}" + tail,
            "trustStores.n.rootKey: unknown key; did you mean 'rootKeys'? *"),
        Arguments.of(
            "unknown GUN placeholder",
            head + "{type: notary-v1, server: 'https://n', gun: '{registry}/{repository}'}" + tail,
            "trustStores.n.gun: GUN template '{registry}/{repository}' has {registry}; only {host}"
                + " and {repository} are known"),
        Arguments.of(
            "root key file missing",
            head + "{type: notary-v1, server: 'https://n', rootKeys: [certs/nope.pem]}" + tail,
            "trustStores.n.rootKeys[0]: certs/nope.pem not found *"),
        Arguments.of(
            "root key file not a key",
            head + "{type: notary-v1, server: 'https://n', rootKeys: [notary.creds]}" + tail,
            "trustStores.n.rootKeys[0]: notary.creds is not a PEM certificate or public key: *"),
        Arguments.of(
            "empty rootKeys",
            head + "{type: notary-v1, server: 'https://n', rootKeys: []}" + tail,
            "trustStores.n.rootKeys: *"),
        Arguments.of(
            "credentials file malformed",
            head + "{type: notary-v1, server: 'https://n', credentialsFile: bad.creds}" + tail,
            "trustStores.n.credentialsFile: registry credentials file *"),
        Arguments.of(
            "caFile without certificates",
            head + "{type: notary-v1, server: 'https://n', caFile: notary.creds}" + tail,
            "trustStores.n.caFile: notary.creds holds no PEM CA certificate: *"),
        Arguments.of(
            "dct with a cosign store",
            policy("anyOf: [{type: dct, trustStore: release-keys}]"),
            "policies[0].signatures.anyOf[0].trustStore: 'release-keys' is a cosign store, but a"
                + " dct requirement needs a store of type notary-v1 (defined: dct-prod, dct-tofu)"),
        Arguments.of(
            "cosign with a notary store",
            policy("anyOf: [{type: cosign, trustStore: dct-prod}]"),
            "policies[0].signatures.anyOf[0].trustStore: 'dct-prod' is a notary-v1 store, but a"
                + " cosign requirement needs a store of type cosign or sigstore (defined:"
                + " release-keys)"),
        Arguments.of(
            "roles on cosign",
            policy("anyOf: [{type: cosign, trustStore: release-keys, roles: [targets]}]"),
            "policies[0].signatures.anyOf[0].roles: applies to dct requirements only"),
        Arguments.of(
            "not a targets role",
            policy("anyOf: [{type: dct, trustStore: dct-prod, roles: [snapshot]}]"),
            "policies[0].signatures.anyOf[0].roles[0]: 'snapshot' is not a targets role; use"
                + " targets or a delegation like targets/releases"),
        Arguments.of(
            "empty roles",
            policy("anyOf: [{type: dct, trustStore: dct-prod, roles: []}]"),
            "policies[0].signatures.anyOf[0].roles: *"),
        Arguments.of(
            "identities on dct",
            policy("anyOf: [{type: dct, trustStore: dct-prod, identities: ['*']}]"),
            "policies[0].signatures.anyOf[0].identities: does not apply to dct requirements; the"
                + " Notary root is the trust"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void mistakesGiveOneLineMessages(String what, String yaml, String expected) {
    PolicyException e = assertThrows(PolicyException.class, () -> files.parse(yaml));
    PolicyFiles.assertOneLineMessage(expected, e.getMessage());
  }

  private static SignedTag signed(Digest digest) {
    return new SignedTag(
        "registry.corp:5000/team/app",
        "v1",
        digest,
        123,
        "targets/releases",
        Set.of("bbbb", "aaaa"));
  }

  private static Evidence evidence(List<DctEvidence> dct) {
    return new Evidence(
        "team/app", IMAGE, List.of(), List.of(), List.of(), List.of(), List.of(), dct);
  }

  @Test
  void aSignedTargetNamingTheImageSatisfiesAnyOfAndNamesRoleAndKeys() {
    TrustPolicy loaded =
        files.parse(
            policy(
                "anyOf: [{type: cosign, trustStore: release-keys}, {type: dct, trustStore: dct-prod}]"));
    Policy p = loaded.policies().get(0);
    PolicyDecision d =
        new PolicyEvaluator(loaded, Clock.systemUTC())
            .evaluate(
                p,
                evidence(
                    List.of(
                        DctEvidence.signed(
                            "dct-prod", DctVerifier.DOCKER_ROLES, List.of(signed(IMAGE))))));
    assertTrue(d.satisfied(), d.message());
    assertEquals(
        "DCT registry.corp:5000/team/app:v1 in targets/releases (TUF keys aaaa,bbbb)",
        d.signedBy().get(0).description());
    assertEquals(Optional.of("aaaa,bbbb"), d.signedBy().get(0).keyId());
  }

  @Test
  void aSignedTargetOfAnotherDigestOrAProblemDenies() {
    TrustPolicy loaded =
        files.parse(policy("allOf: [{type: dct, trustStore: dct-prod, roles: [targets]}]"));
    Policy p = loaded.policies().get(0);
    PolicyEvaluator evaluator = new PolicyEvaluator(loaded, Clock.systemUTC());
    List<String> roles = List.of("targets");

    PolicyDecision other =
        evaluator.evaluate(
            p, evidence(List.of(DctEvidence.signed("dct-prod", roles, List.of(signed(OTHER))))));
    assertFalse(other.satisfied());
    assertTrue(
        other.message().contains("no target signed in targets names " + IMAGE), other.message());

    PolicyDecision problem =
        evaluator.evaluate(
            p,
            evidence(
                List.of(
                    DctEvidence.refused(
                        "dct-prod", roles, "tag v2 of g has no signed target in targets"))));
    assertFalse(problem.satisfied());
    assertTrue(problem.message().contains("tag v2 of g has no signed target"), problem.message());

    // evidence for other roles is not this requirement's
    PolicyDecision wrongRoles =
        evaluator.evaluate(
            p,
            evidence(
                List.of(
                    DctEvidence.signed(
                        "dct-prod", DctVerifier.DOCKER_ROLES, List.of(signed(IMAGE))))));
    assertFalse(wrongRoles.satisfied(), wrongRoles.message());
  }
}
