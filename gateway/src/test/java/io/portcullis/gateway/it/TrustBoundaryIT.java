package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust boundary of issue 12, tried as an attacker would against a real docker-registry with
 * the cache on and an enforce policy on {@code **}: a manifest that only claims to be a signature
 * never approves what it lists, trust artifacts are served only for an approved image (and their
 * layers only when their bytes are trust data), approvals end with the policy revision that made
 * them, a platform manifest by digest is judged the same on every gateway and after a restart, and
 * audit mode serves what enforce would refuse while recording why.
 */
class TrustBoundaryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Credentials CI = new Credentials("ci", "ci-pw");
  private static final Credentials READER = new Credentials("reader", "reader-pw");
  private static final String POLICY =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [%s]}
      policies:
        - name: everything
          scopes: ["**"]
          mode: enforce
          signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
      """;

  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static Path auditLog;
  static int seed = 1200;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release", "other");
    Files.writeString(dir.resolve("policy.yaml"), POLICY.formatted("release.pub"));
    auditLog = dir.resolve("audit.jsonl");
    gateway = gateway(dir.resolve("data"), dir.resolve("policy.yaml"), "");
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, registry);
  }

  /** A gateway on {@code dataDir} under {@code policy}, auditing to {@link #auditLog}. */
  static GatewayFixture gateway(Path dataDir, Path policy, String moreYaml) throws Exception {
    return GatewayFixture.builder(dataDir)
        .upstream("internal", registry.url(), "", true)
        .extra(
            "policy: {file: "
                + policy
                + ", reloadInterval: 100ms}\naudit: {file: "
                + auditLog
                + "}\n"
                + moreYaml)
        .start();
  }

  @Test
  void aForgedSignatureManifestStagedUpstreamApprovesNothing() throws Exception {
    OciLayout unsigned = push("team/unsigned:v1");
    assertEquals(403, get(gateway, "team/unsigned", "v1").statusCode());

    String forged = stageForgery(registry.url(), "team/unsigned", unsigned);

    HttpResponse<String> byDigest =
        Http.get(url(gateway, "team/unsigned", forged), "X-Request-Id", "forged-by-digest");
    assertEquals(403, byDigest.statusCode(), byDigest.body());
    assertEquals("DENIED", Http.errorCode(byDigest));
    HttpResponse<String> byTag =
        get(gateway, "team/unsigned", Forgery.tagOf(unsigned.digest(), ".sig"));
    assertEquals(403, byTag.statusCode(), byTag.body());
    assertTrue(
        byTag.body().contains("served only with an approved image")
            && byTag.body().contains("denied by policy 'everything'"),
        "says why the image was refused: " + byTag.body());

    assertNothingOfTheImageIsServed(gateway, "team/unsigned", unsigned);
    AuditRecords.awaitRecord(
        auditLog, "\"requestId\":\"forged-by-digest\"", "\"outcome\":\"denied\"");
    String audit =
        AuditRecords.awaitRecord(
            auditLog, "\"digest\":\"" + unsigned.digest() + "\"", "\"outcome\":\"denied\"");
    assertFalse(
        AuditRecords.any(
            AuditRecords.parse(audit), "repository", "team/unsigned", "outcome", "allowed"),
        audit);
  }

  @Test
  void aForgedSignatureManifestPushedThroughTheGatewayByCiApprovesNothing() throws Exception {
    Path htpasswd = dir.resolve("htpasswd");
    Files.writeString(htpasswd, AccessControlIT.entry(CI) + AccessControlIT.entry(READER));
    String auth =
        """
        auth:
          htpasswdFile: %s
          roles:
            reader: [{repositories: ["**"], actions: [pull]}]
            ci: [{repositories: ["ci/**"], actions: [pull, push]}]
          users: {ci: [ci], reader: [reader]}
        """
            .formatted(htpasswd);
    try (GatewayFixture guarded =
            gateway(dir.resolve("auth-data"), dir.resolve("policy.yaml"), auth);
        Skopeo ci = Skopeo.builder().destCreds(CI).build();
        Skopeo reader = Skopeo.builder().srcCreds(READER).build()) {
      OciLayout unsigned =
          images.build(ImageSpec.builder().layers(1, 16 * 1024).seed(seed++).build());
      ci.copy(unsigned.ref(), "docker://" + guarded.hostPort() + "/ci/app:v1").orThrow();

      String[] ciAuth = {"Authorization", "Basic " + CI.basicToken()};
      String forged = stageForgery(guarded.url(), "ci/app", unsigned, ciAuth);

      String[] readerAuth = {"Authorization", "Basic " + READER.basicToken()};
      for (String reference :
          List.of(forged, Forgery.tagOf(unsigned.digest(), ".sig"), unsigned.digest(), "v1")) {
        HttpResponse<String> r = Http.get(url(guarded, "ci/app", reference), readerAuth);
        assertEquals(403, r.statusCode(), reference + ": " + r.body());
      }
      for (Forgery.Blob b : Forgery.contentOf(unsigned).subList(1, 3)) {
        HttpResponse<String> r =
            Http.get(guarded.url() + "/v2/ci/app/blobs/" + b.digest(), readerAuth);
        assertEquals(403, r.statusCode(), b.digest() + ": " + r.body());
      }
      CommandResult copy =
          reader.copy(
              "docker://" + guarded.hostPort() + "/ci/app@" + unsigned.digest(),
              "dir:" + dir.resolve("ci-copy"));
      assertFalse(copy.ok(), "the unsigned image is not copied whole: " + copy.stdout());
    }
  }

  @Test
  void aSignedImagesTrustArtifactsAreServedButNotContentTypedAsThem() throws Exception {
    OciLayout signed = push("team/signed:v1");
    Signer.sign(dir, "release", registry, "team/signed:v1");
    OciLayout unsigned = push("team/signed:unsigned");

    // cosign-style: the .sig tag first, with no prior pull of the image.
    String sigTag = Forgery.tagOf(signed.digest(), ".sig");
    HttpResponse<String> sig = get(gateway, "team/signed", sigTag);
    assertEquals(200, sig.statusCode(), sig.body());
    JsonNode layer = JSON.readTree(sig.body()).path("layers").get(0);
    assertEquals(Forgery.SIMPLE_SIGNING, layer.path("mediaType").asText());
    String payload = layer.path("digest").asText();
    HttpResponse<byte[]> viaGateway =
        Http.getBytes(gateway.url() + "/v2/team/signed/blobs/" + payload);
    assertEquals(200, viaGateway.statusCode());
    assertArrayEquals(
        Http.getBytes(registry.url() + "/v2/team/signed/blobs/" + payload).body(),
        viaGateway.body());
    Signer.cli(
        "verify",
        "--key",
        dir.resolve("release.pub").toString(),
        "--insecure-registry",
        gateway.hostPort(),
        gateway.hostPort() + "/team/signed:v1");

    // A real layer typed as a signature, in an attestation tag and in a referrer of the image.
    List<Forgery.Blob> content = Forgery.contentOf(unsigned);
    Forgery.Blob tarLayer = content.get(2);
    Forgery.Blob subject = new Forgery.Blob(MediaTypes.OCI_MANIFEST, signed.digest(), size(signed));
    Forgery.putManifest(
        registry.url(),
        "team/signed",
        Forgery.tagOf(signed.digest(), ".att"),
        Forgery.manifest(
            content.get(1), List.of(tarLayer), "application/vnd.dsse.envelope.v1+json", null));
    String referrer =
        Forgery.putManifest(
            registry.url(),
            "team/signed",
            "referrer",
            Forgery.manifest(content.get(1), List.of(tarLayer), Forgery.SIMPLE_SIGNING, subject));
    assertEquals(
        200, get(gateway, "team/signed", Forgery.tagOf(signed.digest(), ".att")).statusCode());
    assertEquals(200, get(gateway, "team/signed", referrer).statusCode());
    AuditRecords.awaitRecord(
        auditLog, "\"outcome\":\"allowed-as-artifact\"", referrer, "trust artifact of");
    HttpResponse<String> tar =
        Http.get(gateway.url() + "/v2/team/signed/blobs/" + tarLayer.digest());
    assertEquals(403, tar.statusCode(), tar.body());
    assertEquals(
        403,
        Http.get(gateway.url() + "/v2/team/signed/blobs/" + content.get(1).digest()).statusCode(),
        "the unsigned image's config, listed as an artifact's config");
    assertEquals(403, get(gateway, "team/signed", unsigned.digest()).statusCode());

    // A tar layer declared smaller than it is: a denial saying so (audited), not a body limit.
    Forgery.Blob big = Forgery.contentOf(push("team/signed:understated")).get(2);
    Forgery.Blob understated = new Forgery.Blob(Forgery.SIMPLE_SIGNING, big.digest(), 100);
    String small =
        Forgery.putManifest(
            registry.url(),
            "team/signed",
            "understated-referrer",
            Forgery.manifest(content.get(1), List.of(understated), null, subject));
    assertEquals(200, get(gateway, "team/signed", small).statusCode());
    HttpResponse<String> over =
        Http.get(
            gateway.url() + "/v2/team/signed/blobs/" + big.digest(), "X-Request-Id", "understated");
    assertEquals(403, over.statusCode(), over.body());
    assertTrue(over.body().contains("more than 100 bytes"), over.body());
    AuditRecords.awaitRecord(auditLog, "\"requestId\":\"understated\"", "\"outcome\":\"denied\"");
  }

  @Test
  void aManifestCarriedAsAFileOfASignedArtifactIsNotApprovedByIt() throws Exception {
    OciLayout unsigned = push("team/bundle:unsigned");
    OciLayout other = push("team/bundle:other");
    // An ORAS-style artifact whose one layer is a JSON file: the unsigned image's manifest.
    byte[] carried = Files.readAllBytes(unsigned.blob(unsigned.digest()));
    Forgery.uploadBlob(registry.url(), "team/bundle", carried);
    Forgery.Blob file = new Forgery.Blob("application/json", unsigned.digest(), carried.length);
    Forgery.putManifest(
        registry.url(),
        "team/bundle",
        "bundle",
        Forgery.manifest(Forgery.contentOf(other).get(1), List.of(file), null, null));
    Signer.sign(dir, "release", registry, "team/bundle:bundle");

    assertEquals(200, get(gateway, "team/bundle", "bundle").statusCode());
    assertEquals(
        200,
        Http.getBytes(gateway.url() + "/v2/team/bundle/blobs/" + unsigned.digest()).statusCode(),
        "the file is the signed artifact's content, as a blob");
    assertNothingOfTheImageIsServed(gateway, "team/bundle", unsigned);
  }

  @Test
  void aReferrerOfARefusedImageIsRefusedUnlessItIsSignedItself() throws Exception {
    OciLayout unsigned = push("team/referred:unsigned");
    List<Forgery.Blob> content = Forgery.contentOf(unsigned);
    Forgery.Blob subject =
        new Forgery.Blob(MediaTypes.OCI_MANIFEST, unsigned.digest(), size(unsigned));
    String referrer =
        Forgery.putManifest(
            registry.url(),
            "team/referred",
            "referrer",
            Forgery.manifest(content.get(1), content.subList(2, 3), null, subject));
    HttpResponse<String> refused = get(gateway, "team/referred", referrer);
    assertEquals(403, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("served only with an approved image"), refused.body());
    HttpResponse<String> list =
        Http.get(gateway.url() + "/v2/team/referred/referrers/" + unsigned.digest());
    assertEquals(403, list.statusCode(), "no referrers of a refused image: " + list.body());

    // An image that names a subject but carries its own valid signature stands on it (another
    // manifest: a refusal is remembered for a few seconds).
    String signedReferrer =
        Forgery.putManifest(
            registry.url(),
            "team/referred",
            "signed-referrer",
            Forgery.manifest(content.get(1), content.subList(1, 3), null, subject));
    Signer.sign(dir, "release", registry, "team/referred@" + signedReferrer);
    HttpResponse<String> signed = get(gateway, "team/referred", signedReferrer);
    assertEquals(200, signed.statusCode(), signed.body());
    assertEquals(403, get(gateway, "team/referred", unsigned.digest()).statusCode());
  }

  @Test
  void approvalsEndWithThePolicyRevisionThatMadeThem() throws Exception {
    Path policy = dir.resolve("rotating.yaml");
    Files.writeString(policy, POLICY.formatted("release.pub"));
    OciLayout index = pushIndex("team/rotating:v1");
    Signer.sign(dir, "release", registry, "team/rotating:v1");
    try (GatewayFixture g = gateway(dir.resolve("rotating-data"), policy, "")) {
      assertEquals(200, get(g, "team/rotating", "v1").statusCode());
      String child = children(index).get(0);
      HttpResponse<String> platform = get(g, "team/rotating", child);
      assertEquals(200, platform.statusCode(), platform.body());
      String blob = JSON.readTree(platform.body()).path("layers").get(0).path("digest").asText();
      assertEquals(200, Http.getBytes(g.url() + "/v2/team/rotating/blobs/" + blob).statusCode());

      // The key is replaced: the index is refused once the new revision is in force.
      Files.writeString(policy, POLICY.formatted("other.pub"));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (get(g, "team/rotating", "v1").statusCode() != 403) {
        assertTrue(System.nanoTime() < deadline, "the rotated policy is loaded");
        Thread.sleep(50);
      }
      assertEquals(403, get(g, "team/rotating", child).statusCode());
      assertEquals(403, Http.get(g.url() + "/v2/team/rotating/blobs/" + blob).statusCode());
    }
  }

  @Test
  void aPlatformManifestByDigestIsJudgedTheSameEverywhereAndAfterARestart() throws Exception {
    OciLayout index = pushIndex("team/multi:v1");
    Signer.sign(dir, "release", registry, "team/multi:v1");
    List<String> children = children(index);
    String arm = children.get(1);
    Path data = dir.resolve("multi-data");
    try (GatewayFixture fresh = gateway(data, dir.resolve("policy.yaml"), "")) {
      HttpResponse<String> denied = get(fresh, "team/multi", arm);
      assertEquals(403, denied.statusCode(), denied.body());
      assertTrue(
          denied.body().contains("index") && denied.body().contains("--recursive"), denied.body());
      assertEquals(200, get(fresh, "team/multi", "v1").statusCode());
      assertEquals(200, get(fresh, "team/multi", arm).statusCode());
      AuditRecords.awaitRecord(auditLog, "\"outcome\":\"allowed-by-index\"", arm);
      long deadline = System.nanoTime() + 10_000_000_000L;
      Path relation = data.resolve("index-children.json");
      while (!(Files.exists(relation) && Files.readString(relation).contains(arm))) {
        assertTrue(System.nanoTime() < deadline, "the index relation is written");
        Thread.sleep(20);
      }
    }
    try (GatewayFixture restarted = gateway(data, dir.resolve("policy.yaml"), "")) {
      HttpResponse<String> r = get(restarted, "team/multi", arm);
      assertEquals(200, r.statusCode(), r.body());
    }
    // Signed by digest, a platform stands on its own signature on a gateway that knows no index.
    String amd = children.get(0);
    Signer.sign(dir, "release", registry, "team/multi@" + amd);
    try (GatewayFixture other =
        gateway(dir.resolve("multi-other"), dir.resolve("policy.yaml"), "")) {
      assertEquals(200, get(other, "team/multi", amd).statusCode());
      assertEquals(403, get(other, "team/multi", arm).statusCode());
    }
  }

  @Test
  void auditModeRecordsThatEnforceWouldRefuseTheLatestTag() throws Exception {
    assertAuditServesAndRecords("latest", "{allowLatest: false}", "tags.allowLatest");
  }

  @Test
  void auditModeServesATagTheLockfileLacksAndRecordsIt() throws Exception {
    Files.writeString(dir.resolve("empty-pins.yaml"), "version: 1\npins: {}\n");
    assertAuditServesAndRecords(
        "v1", "{pin: lockfile, lockfile: empty-pins.yaml}", "tags.pin: lockfile");
  }

  /**
   * Under the policy in audit mode with {@code tags}, a new image's {@code tag} is served and its
   * record says enforce would refuse it for {@code check}.
   */
  private static void assertAuditServesAndRecords(String tag, String tags, String check)
      throws Exception {
    String name = "audited-" + seed;
    Path policy = dir.resolve(name + ".yaml");
    Files.writeString(
        policy,
        POLICY.formatted("release.pub").replace("mode: enforce", "mode: audit")
            + "    tags: "
            + tags
            + "\n");
    push("team/" + name + ":" + tag);
    try (GatewayFixture g = gateway(dir.resolve(name + "-data"), policy, "")) {
      HttpResponse<String> r = Http.get(url(g, "team/" + name, tag), "X-Request-Id", name);
      assertEquals(200, r.statusCode(), "audit serves: " + r.body());
      AuditRecords.awaitRecord(
          auditLog, "\"requestId\":\"" + name + "\"", "\"outcome\":\"audit-would-deny\"", check);
    }
  }

  @Test
  void aSignedManifestListingTooManyBlobsIsRefused() throws Exception {
    OciLayout base = push("team/wide:base");
    List<Forgery.Blob> content = Forgery.contentOf(base);
    Forgery.Blob layer = content.get(2);
    List<Forgery.Blob> layers = java.util.Collections.nCopies(26_000, layer);
    String wide =
        Forgery.putManifest(
            registry.url(),
            "team/wide",
            "v1",
            Forgery.manifest(content.get(1), layers, null, null));
    Signer.sign(dir, "release", registry, "team/wide:v1");
    HttpResponse<String> r = get(gateway, "team/wide", wide);
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("lists 26001 blobs, more than the 1000"), r.body());
    assertEquals(
        403,
        Http.get(gateway.url() + "/v2/team/wide/blobs/" + layer.digest()).statusCode(),
        "nothing it lists was approved");
  }

  @Test
  void anImageCopiedIntoAnEnforcedRepositoryIsPulledOnlyOnceSigned() throws Exception {
    // Pushes under enforce used to fail on skopeo's blob HEADs before each upload.
    OciLayout image = images.build(ImageSpec.builder().layers(2, 16 * 1024).seed(seed++).build());
    String pushed = "docker://" + gateway.hostPort() + "/team/pushed:v1";
    skopeo.copy(image.ref(), pushed).orThrow();
    HttpResponse<String> atOrigin =
        Http.get(
            registry.url() + "/v2/team/pushed/manifests/v1", "Accept", MediaTypes.OCI_MANIFEST);
    assertEquals(200, atOrigin.statusCode(), "the push reached the upstream");
    String digest = atOrigin.headers().firstValue("Docker-Content-Digest").orElseThrow();

    HttpResponse<String> unsigned = get(gateway, "team/pushed", "v1");
    assertEquals(403, unsigned.statusCode(), unsigned.body());
    assertTrue(unsigned.body().contains("denied by policy 'everything'"), unsigned.body());
    assertFalse(
        skopeo.copy(pushed, "dir:" + dir.resolve("pushed-unsigned")).ok(),
        "the pushed, unsigned image is not pulled");

    Signer.sign(dir, "release", registry, "team/pushed:v1");
    // A refusal is remembered for some seconds; the signature counts once it is re-checked.
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (get(gateway, "team/pushed", "v1").statusCode() != 200) {
      assertTrue(System.nanoTime() < deadline, "the signed image is allowed");
      Thread.sleep(100);
    }
    Path copy = dir.resolve("pushed-signed");
    skopeo.copy(pushed, "dir:" + copy).orThrow();
    assertEquals(
        digest, Digest.sha256(Files.readAllBytes(copy.resolve("manifest.json"))).toString());
  }

  /**
   * Stages at {@code base} (a registry, or the gateway with {@code auth}) a manifest in {@code
   * repo} whose layers, typed as cosign signatures, are the unsigned image's manifest, config and
   * layers, both by digest and as the image's {@code .sig} tag; its digest.
   */
  private static String stageForgery(String base, String repo, OciLayout unsigned, String... auth)
      throws Exception {
    Forgery.uploadBlob(base, repo, Files.readAllBytes(unsigned.blob(unsigned.digest())), auth);
    List<Forgery.Blob> content = Forgery.contentOf(unsigned);
    byte[] forged = Forgery.manifest(content.get(1), content, Forgery.SIMPLE_SIGNING, null);
    Forgery.putManifest(base, repo, Forgery.tagOf(unsigned.digest(), ".sig"), forged, auth);
    return Forgery.putManifest(base, repo, "forged", forged, auth);
  }

  /** The unsigned image's manifest and blobs are all refused, and skopeo cannot copy it. */
  private static void assertNothingOfTheImageIsServed(
      GatewayFixture g, String repo, OciLayout image) throws Exception {
    assertEquals(403, get(g, repo, image.digest()).statusCode());
    for (Forgery.Blob b : Forgery.contentOf(image).subList(1, 3)) {
      HttpResponse<String> r = Http.get(g.url() + "/v2/" + repo + "/blobs/" + b.digest());
      assertEquals(403, r.statusCode(), b.digest() + ": " + r.body());
    }
    CommandResult copy =
        skopeo.copy(
            "docker://" + g.hostPort() + "/" + repo + "@" + image.digest(),
            "dir:" + dir.resolve("copy-" + seed++));
    assertFalse(copy.ok(), "skopeo copied the unsigned image");
  }

  /** The digests of an index's children, as the registry has them. */
  private static List<String> children(OciLayout index) throws Exception {
    JsonNode manifests =
        JSON.readTree(Files.readAllBytes(index.blob(index.digest()))).path("manifests");
    return java.util.stream.StreamSupport.stream(manifests.spliterator(), false)
        .map(d -> d.path("digest").asText())
        .toList();
  }

  private static OciLayout pushIndex(String repoTag) {
    OciLayout index = images.buildTwoPlatformIndex(seed);
    seed += 2;
    images.push(index, registry.ref(repoTag));
    return index;
  }

  private static OciLayout push(String repoTag) {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 16 * 1024).seed(seed++).build());
    images.push(image, registry.ref(repoTag));
    return image;
  }

  private static long size(OciLayout image) throws Exception {
    return Files.size(image.blob(image.digest()));
  }

  private static HttpResponse<String> get(GatewayFixture g, String repo, String reference)
      throws Exception {
    return Http.get(
        url(g, repo, reference), "Accept", MediaTypes.OCI_MANIFEST + ", " + MediaTypes.OCI_INDEX);
  }

  private static String url(GatewayFixture g, String repo, String reference) {
    return g.url() + "/v2/" + repo + "/manifests/" + reference;
  }
}
