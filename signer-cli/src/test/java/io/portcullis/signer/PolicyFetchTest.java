package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.policy.AttestationBudget;
import io.portcullis.core.policy.ImageConfigEvidence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code verify --policy} fetches for the vetting rules, against a {@link FakeRegistry} that
 * serves what a real registry would refuse to store: the gateway's limits (platforms per index, no
 * nested index, a config per manifest, the attestation budget) hold in the CLI too, each refusal is
 * one line with exit 3 (could not verify, as the gateway's 503), and the image's manifest is
 * requested once.
 */
class PolicyFetchTest {
  static FakeRegistry registry;
  @TempDir static Path work;
  static Path policy;
  static KeyPair release = KeyAlgorithm.DEFAULT.generate();

  @BeforeAll
  static void start() throws Exception {
    registry = new FakeRegistry();
    FakeRegistry.writeUnusedPublicKey(work.resolve("scanner.pub"));
    Files.writeString(work.resolve("release.pub"), PublicKeyPem.encode(release.getPublic()));
    policy =
        Files.writeString(
            work.resolve("policy.yaml"),
            """
            version: 1
            trustStores:
              scan-keys: {type: cosign, keys: [scanner.pub]}
              release-keys: {type: cosign, keys: [release.pub]}
            policies:
              - name: keyed
                scopes: ["keyed/**"]
                signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
              - name: vetted
                scopes: ["team/**"]
                config: {nonRoot: true}
              - name: scanned
                scopes: ["scanned/**"]
                attestations:
                  - {type: vuln, trustStore: scan-keys}
            """);
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  static CliRun verify(String repoAndTag) {
    return CliRun.of(
        "verify",
        "--insecure-registry=" + registry.host(),
        "--policy",
        policy.toString(),
        registry.host() + "/" + repoAndTag);
  }

  /** A one-platform image manifest whose config runs as {@code user}; returns its descriptor. */
  static Descriptor image(String repo, String tag, String user) {
    Descriptor config =
        registry.blob(
            repo,
            MediaTypes.OCI_CONFIG,
            ("{\"config\":{\"User\":\"" + user + "\"}}").getBytes(StandardCharsets.UTF_8));
    Descriptor layer =
        Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256((repo + user).getBytes()), 1);
    return registry.manifest(
        repo,
        tag,
        MediaTypes.OCI_MANIFEST,
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, List.of(layer), null, null));
  }

  static Descriptor onPlatform(Descriptor d, String arch) {
    return new Descriptor(
        d.mediaType(),
        d.digest(),
        d.size(),
        null,
        null,
        null,
        new Descriptor.Platform(arch, "linux", null));
  }

  static void index(String repo, String tag, List<Descriptor> children) {
    registry.manifest(
        repo,
        tag,
        MediaTypes.OCI_INDEX,
        new ImageIndex(2, MediaTypes.OCI_INDEX, null, children, null, null));
  }

  static void assertCouldNotVerify(CliRun run, String message) {
    assertEquals(ExitCodes.COULD_NOT_VERIFY, run.exitCode(), run.toString());
    assertEquals(1, run.errLines(), run.toString());
    assertEquals("portcullis-signer verify: " + message, run.err().strip(), run.toString());
  }

  /**
   * A cosign v3 key-based bundle stored as a referrer (in the {@code sha256-<hex>} tag fallback, as
   * on a registry without the referrers API) satisfies a cosign key requirement, as in the gateway.
   */
  @Test
  void aKeyBasedBundleReferrerIsFetchedAndCounts() throws Exception {
    assertEquals(0, verify(keyedImage("keyed/app", release)).exitCode(), "signed by release");
    CliRun other = verify(keyedImage("keyed/other", KeyAlgorithm.DEFAULT.generate()));
    assertEquals(ExitCodes.VERIFICATION_FAILED, other.exitCode(), other.toString());
    assertTrue(other.out().contains("bundle sha256:"), other.toString());
  }

  /** An image of {@code repo} with a key-based v3 bundle by {@code key} as its referrer. */
  private static String keyedImage(String repo, KeyPair key) throws Exception {
    byte[] manifest =
        ManifestCodec.write(
            new ImageManifest(
                2,
                MediaTypes.OCI_MANIFEST,
                null,
                registry.blob(repo, MediaTypes.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8)),
                List.of(),
                null,
                null));
    Descriptor image = registry.manifest(repo, "v1", MediaTypes.OCI_MANIFEST, manifest);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key.getPrivate());
    signer.update(manifest);
    String bundleType = "application/vnd.dev.sigstore.bundle.v0.3+json";
    byte[] bundle =
        ("{\"mediaType\":\""
                + bundleType
                + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"\"}},"
                + "\"messageSignature\":{\"signature\":\""
                + Base64.getEncoder().encodeToString(signer.sign())
                + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
    Descriptor referrer =
        registry
            .manifest(
                repo,
                null,
                MediaTypes.OCI_MANIFEST,
                new ImageManifest(
                    2,
                    MediaTypes.OCI_MANIFEST,
                    bundleType,
                    registry.blob(
                        repo, MediaTypes.OCI_EMPTY, "{}".getBytes(StandardCharsets.UTF_8)),
                    List.of(registry.blob(repo, bundleType, bundle)),
                    image,
                    null))
            .withArtifactType(bundleType);
    index(repo, image.parsedDigest().referrersTag(), List.of(referrer));
    return repo + ":v1";
  }

  @Test
  void anIndexOverThePlatformLimitIsRefusedBeforeAnyChildIsFetched() {
    List<Descriptor> children = new ArrayList<>();
    for (int i = 0; i <= ImageConfigEvidence.MAX_PLATFORMS; i++) {
      children.add(onPlatform(image("team/wide", null, "app" + i), "arch" + i));
    }
    index("team/wide", "1", children);
    CliRun run = verify("team/wide:1");
    assertCouldNotVerify(
        run,
        "cannot vet the image config: the index lists 65 images, over the 64 whose configs"
            + " are vetted");
    assertEquals(0, registry.count("GET", "/v2/team/wide/manifests/sha256:.*"), "children fetched");
  }

  @Test
  void anIndexAtThePlatformLimitIsVetted() {
    List<Descriptor> children = new ArrayList<>();
    for (int i = 0; i < ImageConfigEvidence.MAX_PLATFORMS; i++) {
      children.add(onPlatform(image("team/full", null, i == 63 ? "root" : "app"), "arch" + i));
    }
    index("team/full", "1", children);
    CliRun run = verify("team/full:1");
    assertEquals(ExitCodes.VERIFICATION_FAILED, run.exitCode(), run.toString());
    assertTrue(run.out().contains("linux/arch63: User 'root' is root"), run.toString());
  }

  @Test
  void aNestedIndexIsRefused() {
    Descriptor inner = image("team/nested", null, "app");
    Descriptor innerIndex =
        registry.manifest(
            "team/nested",
            null,
            MediaTypes.OCI_INDEX,
            new ImageIndex(
                2, MediaTypes.OCI_INDEX, null, List.of(onPlatform(inner, "amd64")), null, null));
    index("team/nested", "1", List.of(onPlatform(innerIndex, "amd64")));
    assertCouldNotVerify(
        verify("team/nested:1"),
        "cannot vet the image config: the index nests another index, whose platforms are not"
            + " vetted");
  }

  @Test
  void aChildThatIsAnIndexUnderAManifestMediaTypeIsRefusedToo() {
    Descriptor inner = image("team/disguised", null, "app");
    Descriptor innerIndex =
        registry.manifest(
            "team/disguised",
            null,
            MediaTypes.OCI_INDEX,
            new ImageIndex(
                2, MediaTypes.OCI_INDEX, null, List.of(onPlatform(inner, "amd64")), null, null));
    Descriptor disguised =
        new Descriptor(
            MediaTypes.OCI_MANIFEST,
            innerIndex.digest(),
            innerIndex.size(),
            null,
            null,
            null,
            new Descriptor.Platform("amd64", "linux", null));
    index("team/disguised", "1", List.of(disguised));
    assertCouldNotVerify(
        verify("team/disguised:1"),
        "cannot vet the image config: the index nests another index, whose platforms are not"
            + " vetted");
  }

  @Test
  void aManifestWithoutAConfigIsOneLineNotANullPointer() {
    Descriptor layer = registry.blob("team/artifact", "application/octet-stream", "x".getBytes());
    registry.manifest(
        "team/artifact",
        "1",
        MediaTypes.OCI_MANIFEST,
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\"%s\",\"size\":1}]}"
            .formatted(layer.digest())
            .getBytes(StandardCharsets.UTF_8));
    assertCouldNotVerify(
        verify("team/artifact:1"), "cannot vet the image config: the manifest has no config");
  }

  @Test
  void aPlatformWithoutAConfigIsNamed() {
    Descriptor noConfig =
        registry.manifest(
            "team/half",
            null,
            MediaTypes.OCI_MANIFEST,
            new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, null, List.of(), null, null));
    Descriptor good = image("team/half", null, "app");
    index("team/half", "1", List.of(onPlatform(good, "amd64"), onPlatform(noConfig, "arm64")));
    assertCouldNotVerify(
        verify("team/half:1"),
        "cannot vet the image config: linux/arm64: the manifest has no config");
  }

  @Test
  void aManifestThatIsNotJsonIsOneLine() {
    registry.manifest(
        "team/garbled", "1", MediaTypes.OCI_MANIFEST, "not json".getBytes(StandardCharsets.UTF_8));
    CliRun run = verify("team/garbled:1");
    assertEquals(ExitCodes.COULD_NOT_VERIFY, run.exitCode(), run.toString());
    assertEquals(1, run.errLines(), run.toString());
    assertTrue(
        run.err().contains("cannot vet the image config: the manifest is malformed: "),
        run.toString());
    assertFalse(run.err().contains("internal error"), run.toString());
  }

  @Test
  void theImageManifestIsRequestedOnce() {
    Descriptor single = image("team/once", "1", "app");
    CliRun run = verify("team/once:1");
    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    assertEquals(
        1,
        registry.count("(GET|HEAD)", "/v2/team/once/manifests/(1|" + single.digest() + ")"),
        registry.requests().toString());
  }

  @Test
  void theIndexIsRequestedOnceAndEachPlatformOnce() {
    Descriptor amd = image("team/multi", null, "app");
    Descriptor arm = image("team/multi", null, "app2");
    index("team/multi", "1", List.of(onPlatform(amd, "amd64"), onPlatform(arm, "arm64")));
    CliRun run = verify("team/multi:1");
    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    List<String> manifestRequests =
        registry.requests().stream().filter(r -> r.contains("/v2/team/multi/manifests/")).toList();
    assertEquals(3, manifestRequests.size(), manifestRequests.toString());
    assertEquals(1, registry.count("GET", "/v2/team/multi/manifests/" + amd.digest()));
    assertEquals(1, registry.count("GET", "/v2/team/multi/manifests/" + arm.digest()));
  }

  @Test
  void onlyTheNewestAttestationsWithinTheBudgetAreFetched() {
    Descriptor subject = image("scanned/app", "1", "app");
    List<Descriptor> layers = new ArrayList<>();
    int attached = AttestationBudget.MAX_ENVELOPES + 6;
    for (int i = 0; i < attached; i++) {
      layers.add(
          registry.blob(
              "scanned/app",
              DsseEnvelope.MEDIA_TYPE,
              ("{\"not\":\"an envelope " + i + "\"}").getBytes(StandardCharsets.UTF_8)));
    }
    Descriptor config = registry.blob("scanned/app", MediaTypes.OCI_CONFIG, "{}".getBytes());
    registry.manifest(
        "scanned/app",
        subject.parsedDigest().referrersTag() + ".att",
        MediaTypes.OCI_MANIFEST,
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, null));
    CliRun run = verify("scanned/app:1");
    assertEquals(ExitCodes.VERIFICATION_FAILED, run.exitCode(), run.toString());
    assertTrue(
        run.out()
            .contains(
                "NOTE attestations: the newest 64 of 70 attestation envelopes were fetched (at"
                    + " most 64 and 16 MiB per image)"),
        run.toString());
    assertEquals(
        AttestationBudget.MAX_ENVELOPES,
        registry.count("GET", "/v2/scanned/app/blobs/sha256:.*"),
        registry.requests().toString());
    for (int i = 0; i < 6; i++) {
      assertEquals(
          0,
          registry.count("GET", "/v2/scanned/app/blobs/" + layers.get(i).digest()),
          "the oldest envelopes are left out");
    }
  }
}
