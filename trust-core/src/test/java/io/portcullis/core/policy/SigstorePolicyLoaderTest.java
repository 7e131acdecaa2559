package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.vet.AttestationRule;
import io.portcullis.core.x509.DevPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code type: sigstore} stores, keyless identities and {@code tlog} in the policy loader. */
class SigstorePolicyLoaderTest {
  private static final String ROOT_A = trustedRootJson("2024-01-01T00:00:00Z");
  private static final String ROOT_B = trustedRootJson("2025-01-01T00:00:00Z");
  private static final String GITHUB = "https://token.actions.githubusercontent.com";

  @TempDir Path dir;
  private PolicyFiles files;

  @BeforeEach
  void setUp() {
    files = new PolicyFiles(dir);
    files.write("certs/trusted_root.json", ROOT_A);
    files.key("keys/release.pub");
  }

  /** A minimal but well-formed trusted root: one log and one CA, valid from {@code start}. */
  static String trustedRootJson(String start) {
    byte[] logKey = KeyAlgorithm.DEFAULT.generate().getPublic().getEncoded();
    String ca;
    try {
      ca = b64(DevPki.generate().root().getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
    return """
        {"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
         "tlogs": [{"baseUrl": "https://rekor.example", "hashAlgorithm": "SHA2_256",
           "publicKey": {"rawBytes": "%s", "keyDetails": "PKIX_ECDSA_P256_SHA_256",
             "validFor": {"start": "%s"}},
           "logId": {"keyId": "%s"}}],
         "certificateAuthorities": [{"uri": "https://fulcio.example",
           "certChain": {"certificates": [{"rawBytes": "%s"}]},
           "validFor": {"start": "%s"}}],
         "ctlogs": [], "timestampAuthorities": []}
        """
        .formatted(b64(logKey), start, b64(new byte[32]), ca, start);
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String policy(String stores, String requirement) {
    return "version: 1\ntrustStores:\n"
        + stores
        + "policies:\n  - name: upstream\n    scopes: ['**']\n    signatures:\n      anyOf:\n"
        + requirement;
  }

  private static final String FILE_STORE =
      "  ours: {type: sigstore, trustedRoot: certs/trusted_root.json}\n"
          + "  release-keys: {type: cosign, keys: [keys/release.pub]}\n";

  private static final String KEYLESS =
      "        - type: cosign\n"
          + "          trustStore: ours\n"
          + "          identities:\n"
          + "            - issuer: "
          + GITHUB
          + "\n"
          + "              subjectRegExp: '^https://github\\.com/myorg/'\n"
          + "              sourceRepositoryRef: refs/heads/main\n";

  @Test
  void keylessRequirementCarriesIdentitiesAndRequiresTheLog() {
    TrustPolicy policy = files.parse(policy(FILE_STORE, KEYLESS));
    SigstoreTrustStore store = (SigstoreTrustStore) policy.trustStore("ours");
    assertEquals(Optional.of(dir.resolve("certs/trusted_root.json")), store.trustedRootFile());
    assertEquals(1, store.root().tlogs().size());
    SignatureRequirement requirement =
        policy.policies().get(0).signatures().orElseThrow().requirements().get(0);
    assertTrue(requirement.isKeyless());
    assertTrue(requirement.tlogRequired(), "keyless requires the log by default");
    CertificateIdentity identity = requirement.keyless().get(0);
    assertEquals(GITHUB, identity.issuer());
    assertEquals("^https://github\\.com/myorg/", identity.subjectRegExp().pattern());
    assertEquals(java.util.Map.of("sourceRepositoryRef", "refs/heads/main"), identity.extensions());
    assertTrue(requirement.remedy().contains("subjectRegExp ^https://github\\.com/myorg/"));
    assertTrue(policy.policies().get(0).needsBundles());
    assertTrue(policy.files().contains(dir.resolve("certs/trusted_root.json")));
  }

  @Test
  void keyStoreTakesTlogAndStillNeedsBundles() {
    TrustPolicy policy =
        files.parse(
            policy(
                FILE_STORE,
                "        - {type: cosign, trustStore: release-keys, tlog: required}\n"));
    SignatureRequirement requirement =
        policy.policies().get(0).signatures().orElseThrow().requirements().get(0);
    assertFalse(requirement.isKeyless());
    assertTrue(requirement.tlogRequired());
    assertTrue(policy.policies().get(0).needsBundles(), "keys accept v3 key-based bundles too");
    TrustPolicy optional =
        files.parse(policy(FILE_STORE, "        - {type: cosign, trustStore: release-keys}\n"));
    assertFalse(
        optional.policies().get(0).signatures().orElseThrow().requirements().get(0).tlogRequired());
  }

  static Stream<Arguments> invalid() {
    String at = "policies[0].signatures.anyOf[0]";
    return Stream.of(
        Arguments.of(
            "keyless without identities",
            policy(FILE_STORE, "        - {type: cosign, trustStore: ours}\n"),
            at + ".identities: is required; " + KeylessIdentityReader.ANYONE),
        Arguments.of(
            "keyless with an empty identities list",
            policy(FILE_STORE, "        - {type: cosign, trustStore: ours, identities: []}\n"),
            at + ".identities: is required; " + KeylessIdentityReader.ANYONE),
        Arguments.of(
            "identity without issuer",
            policy(
                FILE_STORE,
                "        - {type: cosign, trustStore: ours, identities: [{subject: a@b.c}]}\n"),
            at
                + ".identities[0]: give exactly one of issuer and issuerRegExp (the OIDC issuer,"
                + " e.g. https://token.actions.githubusercontent.com)"),
        Arguments.of(
            "identity with subject and subjectRegExp",
            policy(
                FILE_STORE,
                "        - {type: cosign, trustStore: ours, identities: [{issuer: x, subject: a,"
                    + " subjectRegExp: b}]}\n"),
            at
                + ".identities[0]: give exactly one of subject and subjectRegExp (the"
                + " certificate's SAN, e.g. the workflow URL or an email address)"),
        Arguments.of(
            "bad regular expression",
            policy(
                FILE_STORE,
                "        - {type: cosign, trustStore: ours, identities: [{issuer: x,"
                    + " subjectRegExp: '(unclosed'}]}\n"),
            at + ".identities[0].subjectRegExp: is not a valid regular expression: Unclosed group"),
        Arguments.of(
            "misspelt extension",
            policy(
                FILE_STORE,
                "        - {type: cosign, trustStore: ours, identities: [{issuer: x, subject: y,"
                    + " sourceRepositoryRefs: main}]}\n"),
            "did you mean 'sourceRepositoryRef'?"),
        Arguments.of(
            "unknown tlog value",
            policy(FILE_STORE, "        - {type: cosign, trustStore: release-keys, tlog: yes}\n"),
            at + ".tlog: unknown value true; use required or optional"),
        Arguments.of(
            "notation on a sigstore store",
            policy(FILE_STORE, "        - {type: notation, trustStore: ours, identities: ['*']}\n"),
            at
                + ".trustStore: 'ours' is a sigstore store, but a notation requirement needs a"
                + " store of type x509 (defined: none)"),
        Arguments.of(
            "trusted root that is not one",
            policy(
                "  ours: {type: sigstore, trustedRoot: keys/release.pub}\n",
                "        - {type: cosign, trustStore: ours, identities: [{issuer: x, subject:"
                    + " y}]}\n"),
            "trustStores.ours.trustedRoot: keys/release.pub is not a Sigstore trusted_root.json:"),
        Arguments.of(
            "file and TUF",
            policy(
                "  ours: {type: sigstore, trustedRoot: certs/trusted_root.json, tuf: {url:"
                    + " 'https://tuf.example'}}\n",
                "        - {type: cosign, trustStore: ours, identities: [{issuer: x, subject:"
                    + " y}]}\n"),
            "trustStores.ours.tuf: a store reads either a trustedRoot file or a TUF repository;"
                + " remove one"),
        Arguments.of(
            "TUF URL that is not one",
            policy(
                "  ours: {type: sigstore, tuf: {url: 'ftp://tuf.example'}}\n",
                "        - {type: cosign, trustStore: ours, identities: [{issuer: x, subject:"
                    + " y}]}\n"),
            "trustStores.ours.tuf.url: 'ftp://tuf.example' is not an http(s) URL"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidKeylessPoliciesAreRefusedSayingWhy(String name, String yaml, String message) {
    PolicyException e = assertThrows(PolicyException.class, () -> files.parse(yaml));
    assertTrue(
        e.getMessage().contains(message), () -> "expected '" + message + "' in " + e.getMessage());
  }

  @Test
  void refreshedRootIsPartOfTheRevision() {
    AtomicReference<String> current = new AtomicReference<>(ROOT_A);
    List<String> asked = new java.util.ArrayList<>();
    SigstoreRoots roots =
        (store, tuf) -> {
          asked.add(store + " " + tuf.map(t -> t.url()).orElse("public-good"));
          return TrustedRoot.parse(current.get().getBytes(StandardCharsets.UTF_8));
        };
    String yaml =
        policy(
            "  public-good: {type: sigstore}\n"
                + "  mirror: {type: sigstore, tuf: {url: 'https://tuf.example/'}}\n",
            "        - {type: cosign, trustStore: public-good, identities: [{issuer: x, subject:"
                + " y}]}\n");
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    TrustPolicy first = TrustPolicyLoader.parse(bytes, dir, "p.yaml", roots);
    TrustPolicy same = TrustPolicyLoader.parse(bytes, dir, "p.yaml", roots);
    current.set(ROOT_B);
    TrustPolicy refreshed = TrustPolicyLoader.parse(bytes, dir, "p.yaml", roots);
    assertEquals(first.revision(), same.revision());
    assertNotEquals(first.revision(), refreshed.revision(), "a new root re-decides");
    assertEquals(
        List.of("public-good public-good", "mirror https://tuf.example/"), asked.subList(0, 2));
    assertTrue(((SigstoreTrustStore) first.trustStore("public-good")).refreshed());
  }

  @Test
  void changedTrustedRootFileIsANewRevision() {
    String yaml = policy(FILE_STORE, KEYLESS);
    TrustPolicy before = files.parse(yaml);
    files.write("certs/trusted_root.json", ROOT_B);
    assertNotEquals(before.revision(), files.parse(yaml).revision());
  }

  @Test
  void unavailableRefreshedRootIsALoadError() {
    SigstoreRoots none =
        (store, tuf) -> {
          throw new IllegalStateException("no cached root and no shipped root");
        };
    byte[] yaml =
        policy(
                "  public-good: {type: sigstore}\n",
                "        - {type: cosign, trustStore: public-good, identities: [{issuer: x,"
                    + " subject: y}]}\n")
            .getBytes(StandardCharsets.UTF_8);
    PolicyException e =
        assertThrows(
            PolicyException.class, () -> TrustPolicyLoader.parse(yaml, dir, "p.yaml", none));
    assertTrue(
        e.getMessage()
            .contains(
                "trustStores.public-good: no trusted root available: no cached root and no"
                    + " shipped root"),
        e.getMessage());
  }

  @Test
  void keylessAttestationRuleNeedsIdentities() {
    String base =
        "version: 1\ntrustStores:\n"
            + FILE_STORE
            + "policies:\n  - name: p\n    scopes: ['**']\n    attestations:\n";
    TrustPolicy policy =
        files.parse(
            base
                + "      - {type: slsaprovenance, trustStore: ours, builderId: b, identities:"
                + " [{issuer: x, subject: y}]}\n");
    AttestationRule rule = policy.policies().get(0).vetting().attestations().get(0);
    assertTrue(rule.isKeyless());
    assertTrue(policy.policies().get(0).needsBundles());
    assertFalse(
        policy.policies().get(0).needsAttestations(), "keyless rules read referrers, not .att");
    PolicyException none =
        assertThrows(
            PolicyException.class,
            () -> files.parse(base + "      - {type: slsaprovenance, trustStore: ours}\n"));
    assertTrue(none.getMessage().contains(KeylessIdentityReader.ANYONE), none.getMessage());
    PolicyException onKeys =
        assertThrows(
            PolicyException.class,
            () ->
                files.parse(
                    base
                        + "      - {type: vuln, trustStore: release-keys, identities: [{issuer:"
                        + " x, subject: y}]}\n"));
    assertTrue(onKeys.getMessage().contains("applies to sigstore stores only"));
  }
}
