package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.RemoteRepository;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.sigstore.TlogEntry;
import io.portcullis.testkit.sigstore.BundleReferrers;
import io.portcullis.testkit.sigstore.Fault;
import io.portcullis.testkit.sigstore.PrivateSigstore;
import io.portcullis.testkit.sigstore.RekorServer;
import io.portcullis.testkit.sigstore.SigningIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} of keyless bundles a private Sigstore instance made (testkit), attached as
 * referrers in the tag fallback of a real docker-registry, and {@code sign --rekor-url} against
 * that instance's Rekor: every trusted root is given with {@code --trusted-root}, so nothing here
 * reaches the public-good TUF repository.
 */
class SigstoreKeylessCliIT {
  static final String WORKFLOW =
      "https://github.com/myorg/app/.github/workflows/release.yml@refs/tags/v1";
  static final SigningIdentity RELEASE =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");

  static CliHarness h;
  static PrivateSigstore sigstore;
  static RekorServer rekor;
  static BundleReferrers referrers;
  static Path root;
  static Path otherRoot;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    h = CliHarness.start(dir);
    sigstore = PrivateSigstore.builder().build();
    rekor = RekorServer.start(sigstore);
    referrers = new BundleReferrers("http://" + h.host, Optional.empty());
    root = Files.write(dir.resolve("trusted_root.json"), sigstore.trustedRootJson());
    otherRoot =
        Files.write(
            dir.resolve("other_root.json"), PrivateSigstore.builder().build().trustedRootJson());
  }

  @AfterAll
  static void stop() {
    rekor.close();
    h.close();
  }

  /** A fresh image in {@code repo} with a keyless signature by {@code identity} attached. */
  static String signedImage(String repo, SigningIdentity identity, Fault... faults) {
    String image = h.image(repo);
    Digest digest = h.digestOf(image);
    referrers.attach(
        repo,
        digest,
        sigstore.bundles().imageSignature(h.host + "/" + repo, digest, identity, faults));
    return image;
  }

  static CliRun keyless(String image, String... flags) {
    String[] args = new String[flags.length + 4];
    args[0] = "verify";
    System.arraycopy(flags, 0, args, 1, flags.length);
    args[flags.length + 1] = "--trusted-root";
    args[flags.length + 2] = root.toString();
    args[flags.length + 3] = image;
    return h.cli(args);
  }

  @Test
  void theRightIdentityPassesAndEachOtherFlagThatDiffersFails() {
    String image = signedImage("keyless/app", RELEASE);
    CliRun exact =
        keyless(
            image,
            "--certificate-identity",
            WORKFLOW,
            "--certificate-oidc-issuer",
            SigningIdentity.GITHUB_ISSUER);
    assertEquals(0, exact.exitCode(), exact.toString());
    assertTrue(exact.out().contains("(sigstore bundle v0.3)"), exact.toString());
    assertTrue(exact.out().contains("signed by " + WORKFLOW), exact.toString());
    assertTrue(exact.out().contains("log index"), exact.toString());

    CliRun regexp =
        keyless(
            image,
            "--certificate-identity-regexp",
            "^https://github\\.com/myorg/",
            "--certificate-oidc-issuer-regexp",
            "^https://token\\.actions\\.githubusercontent\\.com$",
            "--certificate-github-workflow-repository",
            "myorg/app",
            "--certificate-github-workflow-ref",
            "refs/tags/v1",
            "--certificate-github-workflow-trigger",
            "push");
    assertEquals(0, regexp.exitCode(), regexp.toString());

    CliRun evil =
        keyless(
            image,
            "--certificate-identity-regexp",
            "^https://github\\.com/evil/",
            "--certificate-oidc-issuer",
            SigningIdentity.GITHUB_ISSUER);
    assertEquals(ExitCodes.VERIFICATION_FAILED, evil.exitCode(), evil.toString());
    assertTrue(evil.out().contains("does not match subjectRegExp"), evil.toString());

    CliRun issuer =
        keyless(
            image,
            "--certificate-identity",
            WORKFLOW,
            "--certificate-oidc-issuer",
            "https://accounts.google.com");
    assertEquals(ExitCodes.VERIFICATION_FAILED, issuer.exitCode(), issuer.toString());

    CliRun ref =
        keyless(
            image,
            "--certificate-identity",
            WORKFLOW,
            "--certificate-oidc-issuer",
            SigningIdentity.GITHUB_ISSUER,
            "--certificate-github-workflow-ref",
            "refs/heads/main");
    assertEquals(ExitCodes.VERIFICATION_FAILED, ref.exitCode(), ref.toString());
    assertTrue(ref.out().contains("githubWorkflowRef"), ref.toString());

    CliRun untrusted =
        h.cli(
            "verify",
            "--certificate-identity",
            WORKFLOW,
            "--certificate-oidc-issuer",
            SigningIdentity.GITHUB_ISSUER,
            "--trusted-root",
            otherRoot.toString(),
            image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, untrusted.exitCode(), untrusted.toString());
  }

  @Test
  void aLegacyKeylessSigVerifiesByTheSameRulesAndSaysItsFormat() {
    String image = h.image("keyless/legacy");
    Digest digest = h.digestOf(image);
    RemoteRepository repo = RemoteRepository.of(h.host, "keyless/legacy");
    Tag tag = CosignAttachmentStore.tag(digest, AttachmentManifest.SIGNATURE_SUFFIX);
    CosignAttachmentStore store = new CosignAttachmentStore(h.client);
    store.append(
        repo, tag, sigstore.bundles().legacyImageSignature(repo.toString(), digest, RELEASE));
    CliRun ok =
        keyless(
            image,
            "--certificate-identity",
            WORKFLOW,
            "--certificate-oidc-issuer",
            SigningIdentity.GITHUB_ISSUER);
    assertEquals(0, ok.exitCode(), ok.toString());
    assertTrue(ok.out().contains("PASS #1 layer sha256:"), ok.toString());
    assertTrue(ok.out().contains("(legacy .sig, keyless)"), ok.toString());

    CliRun evil =
        keyless(
            image,
            "--certificate-identity",
            "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1",
            "--certificate-oidc-issuer",
            SigningIdentity.GITHUB_ISSUER);
    assertEquals(ExitCodes.VERIFICATION_FAILED, evil.exitCode(), evil.toString());

    String other = h.image("keyless/legacy-other");
    Digest otherDigest = h.digestOf(other);
    store.append(
        RemoteRepository.of(h.host, "keyless/legacy-other"),
        CosignAttachmentStore.tag(otherDigest, AttachmentManifest.SIGNATURE_SUFFIX),
        sigstore.bundles().legacyImageSignature(repo.toString(), digest, RELEASE));
    CliRun copied =
        keyless(
            other,
            "--certificate-identity",
            WORKFLOW,
            "--certificate-oidc-issuer",
            SigningIdentity.GITHUB_ISSUER);
    assertEquals(ExitCodes.VERIFICATION_FAILED, copied.exitCode(), copied.toString());
    assertTrue(copied.out().contains("payload signs " + digest), copied.toString());
  }

  @Test
  void aBundleWithoutALogEntryOrWithASetOverAnotherBodyFails() {
    for (Fault fault : new Fault[] {Fault.NO_TLOG_ENTRY, Fault.SET_OVER_OTHER_BODY}) {
      String image =
          signedImage("keyless/" + fault.name().toLowerCase().replace('_', '-'), RELEASE, fault);
      CliRun run =
          keyless(
              image,
              "--certificate-identity",
              WORKFLOW,
              "--certificate-oidc-issuer",
              SigningIdentity.GITHUB_ISSUER);
      assertEquals(ExitCodes.VERIFICATION_FAILED, run.exitCode(), fault + ": " + run);
      assertTrue(run.out().contains("FAIL referrer sha256:"), fault + ": " + run);
    }
  }

  @Test
  void signWithRekorUrlLogsTheBundleAndItsSetVerifiesOnlyWithThatLog() {
    String image = h.image("rekor/app");
    Digest digest = h.digestOf(image);
    int before = rekor.entriesCreated();
    CliRun sign =
        h.cli(
            "sign",
            "--format",
            "sigstore-bundle",
            "--rekor-url",
            rekor.url(),
            "--key",
            h.key("a.key"),
            image);
    assertEquals(0, sign.exitCode(), sign.toString());
    assertTrue(sign.out().contains("logged in Rekor"), sign.toString());
    assertEquals(before + 1, rekor.entriesCreated());

    RemoteRepository repo = RemoteRepository.of(h.host, "rekor/app");
    ImageIndex index =
        ManifestCodec.readIndex(
            h.client.getManifest(repo, Reference.of(Tag.of(digest.referrersTag()))).bytes());
    ImageManifest referrer =
        h.client
            .getManifest(repo, Reference.of(index.manifests().get(0).parsedDigest()))
            .asManifest();
    Descriptor layer = referrer.layers().get(0);
    SigstoreBundle bundle =
        SigstoreBundle.parse(h.client.fetchBlob(repo, layer.parsedDigest(), layer.size()));
    assertEquals(1, bundle.tlogEntries().size());
    TlogEntry entry = bundle.tlogEntries().get(0);
    assertEquals("dsse", entry.kind());
    assertTrue(entry.signedEntryTimestamp().isPresent(), "the bundle carries the SET");
    assertTrue(entry.inclusionProof().isPresent(), "and the inclusion proof");

    CliRun verify =
        h.cli("verify", "--key", h.key("a.pub"), "--trusted-root", root.toString(), image);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("log index " + entry.logIndex()), verify.toString());
    CliRun otherLog =
        h.cli("verify", "--key", h.key("a.pub"), "--trusted-root", otherRoot.toString(), image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, otherLog.exitCode(), otherLog.toString());
    CliRun wrongKey =
        h.cli("verify", "--key", h.key("b.pub"), "--trusted-root", root.toString(), image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, wrongKey.exitCode(), wrongKey.toString());
  }

  @Test
  void anUnreachableRekorIsOneLineAndNothingIsPushed() {
    String image = h.image("rekor/down");
    CliRun sign =
        h.cli(
            "sign",
            "--format",
            "sigstore-bundle",
            "--rekor-url",
            "http://127.0.0.1:1",
            "--key",
            h.key("a.key"),
            image);
    assertEquals(ExitCodes.COULD_NOT_VERIFY, sign.exitCode(), sign.toString());
    assertEquals(1, sign.errLines(), sign.toString());
    assertTrue(
        sign.err().startsWith("portcullis-signer sign: Rekor at http://127.0.0.1:1 is unreachable"),
        sign.toString());
    CliRun verify = h.cli("verify", "--key", h.key("a.pub"), image);
    assertTrue(verify.out().contains("no cosign signatures found"), verify.toString());
  }
}
