package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.testkit.sigstore.BundleReferrers;
import io.portcullis.testkit.sigstore.Fault;
import io.portcullis.testkit.sigstore.PrivateSigstore;
import io.portcullis.testkit.sigstore.SigningIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --policy} with a {@code type: sigstore} store: the same trust-core evaluator the
 * gateway runs, over keyless bundles a private Sigstore instance made, attached in the referrers
 * tag fallback of a real docker-registry. The policy names its own {@code trustedRoot}, so nothing
 * here reaches the public-good TUF repository.
 */
class SigstoreVerifyPolicyIT {
  static final SigningIdentity RELEASE =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");

  static CliHarness h;
  static PrivateSigstore sigstore;
  static BundleReferrers referrers;
  static Path policy;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    h = CliHarness.start(dir);
    sigstore = PrivateSigstore.builder().build();
    referrers = new BundleReferrers("http://" + h.host, Optional.empty());
    Files.write(dir.resolve("trusted_root.json"), sigstore.trustedRootJson());
    policy =
        Files.writeString(
            dir.resolve("keyless.yaml"),
            "version: 1\n"
                + "trustStores:\n"
                + "  private: {type: sigstore, trustedRoot: trusted_root.json}\n"
                + "policies:\n"
                + "  - name: keyless\n"
                + "    scopes: ['**']\n"
                + "    signatures: {anyOf: [{type: cosign, trustStore: private, identities:"
                + " [{issuer: "
                + SigningIdentity.GITHUB_ISSUER
                + ", subjectRegExp: '^https://github\\.com/myorg/'}]}]}\n");
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  void aKeylessImageOfTheRightIdentityPassesAndADefectiveOneFailsNamingWhy() {
    CliRun ok = h.cli("verify", "--policy", policy.toString(), signed("policy/good"));
    assertEquals(0, ok.exitCode(), ok.toString());

    CliRun evil =
        h.cli("verify", "--policy", policy.toString(), signed("policy/evil", Fault.WRONG_SAN));
    assertEquals(ExitCodes.VERIFICATION_FAILED, evil.exitCode(), evil.toString());
    assertTrue(evil.toString().contains("does not match subjectRegExp"), evil.toString());

    CliRun expired =
        h.cli(
            "verify",
            "--policy",
            policy.toString(),
            signed("policy/expired", Fault.LEAF_EXPIRED_AT_LOG_TIME));
    assertEquals(ExitCodes.VERIFICATION_FAILED, expired.exitCode(), expired.toString());
    assertTrue(
        expired.toString().contains("not valid at the verified signing time"), expired.toString());
  }

  private static String signed(String repo, Fault... faults) {
    String image = h.image(repo);
    Digest digest = h.digestOf(image);
    referrers.attach(
        repo,
        digest,
        sigstore.bundles().imageSignature(h.host + "/" + repo, digest, RELEASE, faults));
    return image;
  }
}
