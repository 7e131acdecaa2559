package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.EncryptedPrivateKeyPem;
import io.portcullis.core.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code verify-bundle}, the sigstore-conformance verify protocol, over the fixtures' documented
 * results (shared/interop/sigstore/README.md) and over bundles this CLI signs.
 */
class VerifyBundleCommandTest {
  static final String GOOGLE = "https://accounts.google.com";
  static final String APPU = "appu@google.com";
  static final String GITHUB = "https://token.actions.githubusercontent.com";
  static final String AA_TEST =
      "https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main";

  @TempDir static Path dir;
  static Path password;

  @BeforeAll
  static void keys() throws IOException {
    password = Files.writeString(dir.resolve("pw.txt"), "pw\n");
    CliRun.ok("keygen", "--password-file=" + password, "--out", dir.resolve("a").toString());
    CliRun.ok("keygen", "--password-file=" + password, "--out", dir.resolve("b").toString());
  }

  static CliRun keyless(String bundle, String identity, String issuer, String artifact) {
    return CliRun.of(
        "verify-bundle",
        "--bundle",
        SigstoreFixtures.bundle(bundle),
        "--certificate-identity",
        identity,
        "--certificate-oidc-issuer",
        issuer,
        "--trusted-root",
        SigstoreFixtures.publicGoodRoot(),
        artifact);
  }

  @ParameterizedTest
  @CsvSource({
    "bundle.sigstore, " + APPU + ", " + GOOGLE,
    "bundle.v1.sigstore, " + APPU + ", " + GOOGLE,
    "bundle.v2.sigstore, " + APPU + ", " + GOOGLE,
    "bundle.v3.sigstore, " + APPU + ", " + GOOGLE,
    "bundle.v3_1.sigstore, " + APPU + ", " + GOOGLE,
    "bundle-no-digest.sigstore, " + APPU + ", " + GOOGLE,
    "bundle.dsse.sigstore, " + AA_TEST + ", " + GITHUB,
  })
  void publicGoodBundlesVerify(String bundle, String identity, String issuer) {
    String expected = identityOf(bundle).orElse(identity);
    CliRun run = keyless(bundle, expected, issuer, SigstoreFixtures.artifact());
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().startsWith("OK: sigstore bundle v0."), run.toString());
    assertTrue(run.out().contains(expected), run.toString());
  }

  @Test
  void theDigestFormVerifiesWhatTheFileFormDoes() throws IOException {
    String digest =
        Digest.sha256(Files.readAllBytes(Path.of(SigstoreFixtures.artifact()))).toString();
    CliRun run = keyless("bundle.v3.sigstore", APPU, GOOGLE, digest);
    assertEquals(0, run.exitCode(), run.toString());
    CliRun dsse =
        keyless("bundle.dsse.sigstore", identityOf("bundle.dsse.sigstore").get(), GITHUB, digest);
    assertEquals(0, dsse.exitCode(), dsse.toString());
    CliRun other = keyless("bundle.v3.sigstore", APPU, GOOGLE, "sha256:" + "ab".repeat(32));
    assertEquals(ExitCodes.VERIFICATION_FAILED, other.exitCode(), other.toString());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "bundle-with-mismatched-set.sigstore | entry SET was not valid",
        "bundle-with-wrong-tlog-entry.sigstore | records a different artifact digest",
        "bundle-with-bad-checkpoint-signature.sigstore | checkpoint signature",
        "bundle-with-expired-cert.sigstore | not valid at the verified signing time",
        "bundle.dsse.bad-signature.sigstore | DSSE signature does not verify",
        "bundle.dsse.mismatched-envelope.sigstore | records a different payload hash",
        "bundle.dsse.mismatched-signature.sigstore | records a different signature"
      })
  void tamperedBundlesFailWithOneLine(String bundle, String reason) {
    String identity = identityOf(bundle).orElse(APPU);
    String issuer = identity.startsWith("https://github.com/") ? GITHUB : GOOGLE;
    CliRun run = keyless(bundle, identity, issuer, SigstoreFixtures.artifact());
    assertEquals(ExitCodes.VERIFICATION_FAILED, run.exitCode(), run.toString());
    assertEquals(1, run.errLines(), run.toString());
    assertTrue(
        run.err().startsWith("portcullis-signer verify-bundle: bundle does not verify: "),
        run.toString());
    assertTrue(run.err().contains(reason), run.toString());
  }

  @Test
  void withoutTrustedRootTheShippedPublicGoodRootIsUsedAndStagingIsAnother() {
    String[] args = {
      "verify-bundle",
      "--bundle",
      SigstoreFixtures.bundle("bundle.v3.sigstore"),
      "--certificate-identity",
      APPU,
      "--certificate-oidc-issuer",
      GOOGLE,
      SigstoreFixtures.artifact()
    };
    CliRun shipped = CliRun.of(args);
    assertEquals(0, shipped.exitCode(), shipped.toString());
    String[] staging = new String[args.length + 1];
    staging[0] = "verify-bundle";
    staging[1] = "--staging";
    System.arraycopy(args, 1, staging, 2, args.length - 1);
    CliRun run = CliRun.of(staging);
    assertEquals(ExitCodes.VERIFICATION_FAILED, run.exitCode(), run.toString());
  }

  @Test
  void theWrongIdentityOrIssuerFails() {
    CliRun identity =
        keyless("bundle.v3.sigstore", "evil@example.com", GOOGLE, SigstoreFixtures.artifact());
    assertEquals(ExitCodes.VERIFICATION_FAILED, identity.exitCode(), identity.toString());
    assertTrue(
        identity.err().contains("evil@example.com") || identity.err().contains(APPU),
        identity.toString());
    CliRun issuer = keyless("bundle.v3.sigstore", APPU, GITHUB, SigstoreFixtures.artifact());
    assertEquals(ExitCodes.VERIFICATION_FAILED, issuer.exitCode(), issuer.toString());
  }

  /**
   * The PKIX_* fixtures are keyless bundles (the README calls them key-based, but each carries a
   * Fulcio certificate), one per leaf key algorithm. A key does not stand in for the identity.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "PKIX_ECDSA_P256_SHA_256.sigstore.json",
        "PKIX_ECDSA_P384_SHA_384.sigstore.json",
        "PKIX_ECDSA_P521_SHA_512.sigstore.json",
        "PKIX_RSA_PKCS1V15_2048_SHA256.sigstore.json",
        "PKIX_RSA_PKCS1V15_3072_SHA256.sigstore.json",
        "PKIX_RSA_PKCS1V15_4096_SHA256.sigstore.json"
      })
  void everyLeafKeyAlgorithmVerifiesByIdentityAndNotByKey(String bundle) {
    CliRun run =
        keyless(bundle, identityOf(bundle).orElseThrow(), GOOGLE, SigstoreFixtures.artifact());
    assertEquals(0, run.exitCode(), run.toString());
    CliRun byKey =
        CliRun.of(
            "verify-bundle",
            "--bundle",
            SigstoreFixtures.bundle(bundle),
            "--key",
            dir.resolve("a.pub").toString(),
            "--trusted-root",
            SigstoreFixtures.publicGoodRoot(),
            SigstoreFixtures.artifact());
    assertEquals(ExitCodes.VERIFICATION_FAILED, byKey.exitCode(), byKey.toString());
    assertTrue(byKey.err().contains("keyless"), byKey.toString());
  }

  @Test
  void aBundleThisCliSignsVerifiesWithItsKeyAndNotAnother() throws IOException {
    Path artifact = Files.writeString(dir.resolve("artifact.bin"), "hello bundle\n");
    Digest digest = Digest.sha256(Files.readAllBytes(artifact));
    var signer =
        new SigstoreBundleSigner(
            EncryptedPrivateKeyPem.decrypt(
                Files.readString(dir.resolve("a.key")), "pw".toCharArray()),
            Optional.empty());
    byte[] bundle =
        signer.attestation(
            InTotoStatement.about(
                "artifact.bin",
                digest,
                "https://example.com/predicate/v1",
                StrictJson.readTree("{}")));
    Path file = Files.write(dir.resolve("mine.sigstore.json"), bundle);
    String[] common = {
      "verify-bundle",
      "--bundle",
      file.toString(),
      "--trusted-root",
      SigstoreFixtures.publicGoodRoot()
    };
    CliRun byFile =
        CliRun.of(concat(common, "--key", dir.resolve("a.pub").toString(), artifact.toString()));
    assertEquals(0, byFile.exitCode(), byFile.toString());
    assertTrue(byFile.out().contains("signed by key "), byFile.toString());
    CliRun byDigest =
        CliRun.of(concat(common, "--key", dir.resolve("a.pub").toString(), digest.toString()));
    assertEquals(0, byDigest.exitCode(), byDigest.toString());
    CliRun wrongKey =
        CliRun.of(concat(common, "--key", dir.resolve("b.pub").toString(), artifact.toString()));
    assertEquals(ExitCodes.VERIFICATION_FAILED, wrongKey.exitCode(), wrongKey.toString());
    Files.writeString(artifact, "tampered\n");
    CliRun tampered =
        CliRun.of(concat(common, "--key", dir.resolve("a.pub").toString(), artifact.toString()));
    assertEquals(ExitCodes.VERIFICATION_FAILED, tampered.exitCode(), tampered.toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--bundle b.json sha256:00 | give either --certificate-identity",
        "--bundle b.json --certificate-identity x sha256:00 | needs both",
        "--bundle b.json --key k.pub --certificate-identity x --certificate-oidc-issuer y f | give either",
        "--key k.pub f | Missing required option: '--bundle=FILE'",
      })
  void badArgumentsAreUsageErrors(String args, String message) {
    String[] split = args.split(" ");
    CliRun run = CliRun.of(concat(new String[] {"verify-bundle"}, split));
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.err().contains(message), run.toString());
    assertEquals(1, run.errLines(), run.toString());
  }

  /**
   * The one SAN of the fixture's leaf certificate, read from the bundle (README: see
   * sigstore-java).
   */
  static Optional<String> identityOf(String bundle) {
    // Outside the try: with the fixtures absent this aborts (skips) the test, and must not be
    // caught and turned into an empty identity (then a NoSuchElementException: an error).
    Path file = Path.of(SigstoreFixtures.bundle(bundle));
    try {
      JsonNode root = StrictJson.readTree(Files.readAllBytes(file));
      JsonNode m = root.path("verificationMaterial");
      String der =
          m.has("certificate")
              ? m.at("/certificate/rawBytes").asText()
              : m.at("/x509CertificateChain/certificates/0/rawBytes").asText();
      var cert = CertificatePem.parse(Base64.getDecoder().decode(der));
      return cert.getSubjectAlternativeNames().stream()
          .map(l -> String.valueOf(l.get(1)))
          .findFirst();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
