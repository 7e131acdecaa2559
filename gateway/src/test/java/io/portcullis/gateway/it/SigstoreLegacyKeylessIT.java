package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.oci.Digest;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import io.portcullis.testkit.sigstore.BundleReferrers;
import io.portcullis.testkit.sigstore.BundleWriter;
import io.portcullis.testkit.sigstore.Fault;
import io.portcullis.testkit.sigstore.PrivateSigstore;
import io.portcullis.testkit.sigstore.SigningIdentity;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Legacy keyless cosign {@code .sig} layers through the gateway, as cosign v2 writes them: the
 * {@code dev.sigstore.cosign/certificate}, {@code /chain}, {@code /bundle} (SET and entry) and
 * {@code /rfc3161timestamp} annotations, from a private Sigstore instance with a timestamp
 * authority. They must verify by the same rules as a bundle: each defect {@link SigstoreIT} denies
 * for a cosign v3 bundle is denied here too, and a timestamp over another signature is refused.
 */
class SigstoreLegacyKeylessIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SigningIdentity GOOD =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");

  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static BundleReferrers registryWrites;
  static PrivateSigstore sigstore;
  static int seed = 9300;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    registryWrites = new BundleReferrers(registry.url(), registry.credentials());
    sigstore = PrivateSigstore.builder().timestampAuthority(true).build();
    Files.write(dir.resolve("trusted_root.json"), sigstore.trustedRootJson());
    // the same root, but its CA listed by the root certificate alone: the intermediate must then
    // come from the signature's dev.sigstore.cosign/chain annotation
    ObjectNode rootOnly = (ObjectNode) JSON.readTree(sigstore.trustedRootJson());
    ((ArrayNode) rootOnly.at("/certificateAuthorities/0/certChain/certificates")).remove(0);
    Files.write(dir.resolve("root-only.json"), JSON.writeValueAsBytes(rootOnly));
    Files.writeString(
        dir.resolve("policy.yaml"),
        "version: 1\n"
            + "trustStores:\n"
            + "  private: {type: sigstore, trustedRoot: trusted_root.json}\n"
            + "  root-only: {type: sigstore, trustedRoot: root-only.json}\n"
            + "policies:\n"
            + "  - name: chain\n"
            + "    scopes: ['chain/**']\n"
            + "    signatures: {anyOf: [{type: cosign, trustStore: root-only, identities: [{issuer: "
            + SigningIdentity.GITHUB_ISSUER
            + ", subjectRegExp: '^https://github\\.com/myorg/'}]}]}\n"
            + "  - name: legacy\n"
            + "    scopes: ['**']\n"
            + "    signatures: {anyOf: [{type: cosign, trustStore: private, identities: [{issuer: "
            + SigningIdentity.GITHUB_ISSUER
            + ", subjectRegExp: '^https://github\\.com/myorg/'}]}]}\n");
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("internal", registry.url(), "", false)
            .extra("policy: {file: " + dir.resolve("policy.yaml") + "}\n")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, registry);
  }

  @Test
  void aLegacySigWithChainSetAndTimestampPasses() throws Exception {
    Digest image = push("legacy/good:v1");
    AttachmentLayer layer =
        sigstore.bundles().legacyImageSignature(reference("legacy/good"), image, GOOD);
    assertTrue(layer.annotation(CosignAnnotations.CHAIN).orElse("").contains("CERTIFICATE"));
    assertTrue(layer.annotation(BundleWriter.RFC3161_TIMESTAMP).isPresent());
    attach("legacy/good", image, layer);
    HttpResponse<String> r = manifest("legacy/good");
    assertEquals(200, r.statusCode(), r.body());
  }

  @Test
  void theChainAnnotationSuppliesAnIntermediateTheTrustedRootDoesNotList() throws Exception {
    Digest image = push("chain/with:v1");
    attach(
        "chain/with",
        image,
        sigstore.bundles().legacyImageSignature(reference("chain/with"), image, GOOD));
    HttpResponse<String> served = manifest("chain/with");
    assertEquals(200, served.statusCode(), served.body());

    Digest bare = push("chain/without:v1");
    AttachmentLayer layer =
        sigstore.bundles().legacyImageSignature(reference("chain/without"), bare, GOOD);
    Map<String, String> annotations = new LinkedHashMap<>(layer.descriptor().annotations());
    annotations.remove(CosignAnnotations.CHAIN);
    attach(
        "chain/without",
        bare,
        AttachmentLayer.create(layer.mediaType(), layer.content(), annotations));
    HttpResponse<String> denied = manifest("chain/without");
    assertEquals(403, denied.statusCode(), denied.body());
    assertTrue(denied.body().contains("not issued by any certificate authority"), denied.body());
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(Fault.WRONG_SAN, "does not match subjectRegExp"),
        Arguments.of(Fault.WRONG_ISSUER, "certificate issuer"),
        Arguments.of(Fault.NO_TLOG_ENTRY, "no transparency log entry"),
        Arguments.of(Fault.SET_OVER_OTHER_BODY, "SET was not valid"),
        Arguments.of(
            Fault.LEAF_EXPIRED_AT_LOG_TIME,
            "signing certificate was not valid at the verified signing time"),
        Arguments.of(
            Fault.CA_NOT_VALID_AT_LOG_TIME,
            "certificate authority https://retired-fulcio.private.test was not valid"),
        Arguments.of(Fault.SCT_WRONG_KEY, "SCT signature"),
        Arguments.of(Fault.OTHER_DIGEST, "signs sha256:"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void aLegacySigWithADefectIsDeniedNamingIt(Fault fault, String reason) throws Exception {
    String repo = "legacy/fault-" + fault.name().toLowerCase(Locale.ROOT);
    Digest image = push(repo + ":v1");
    attach(
        repo, image, sigstore.bundles().legacyImageSignature(reference(repo), image, GOOD, fault));
    HttpResponse<String> r = manifest(repo);
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("DENIED", Http.errorCode(r));
    assertTrue(r.body().contains(reason), () -> fault + ": " + r.body());
  }

  @Test
  void aTimestampOverAnotherSignatureIsRefused() throws Exception {
    Digest image = push("legacy/other-timestamp:v1");
    AttachmentLayer good =
        sigstore.bundles().legacyImageSignature(reference("legacy/other-timestamp"), image, GOOD);
    byte[] token =
        sigstore
            .timestampAuthority()
            .orElseThrow()
            .timestamp(
                "another signature".getBytes(StandardCharsets.UTF_8), sigstore.clock().instant());
    Map<String, String> annotations = new LinkedHashMap<>(good.descriptor().annotations());
    annotations.put(
        BundleWriter.RFC3161_TIMESTAMP,
        "{\"SignedRFC3161Timestamp\":\"" + Base64.getEncoder().encodeToString(token) + "\"}");
    attach(
        "legacy/other-timestamp",
        image,
        AttachmentLayer.create(good.mediaType(), good.content(), annotations));
    HttpResponse<String> r = manifest("legacy/other-timestamp");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("RFC 3161 timestamp is over other bytes"), r.body());
  }

  /**
   * The layer as the one layer of the image's {@code sha256-<hex>.sig} manifest, as cosign writes
   * it.
   */
  private static void attach(String repo, Digest image, AttachmentLayer layer) {
    AttachmentManifest sig = AttachmentManifest.create(List.of(layer), Instant.now());
    registryWrites.uploadBlob(repo, sig.config());
    registryWrites.uploadBlob(repo, layer.content());
    registryWrites.putManifest(
        repo,
        AttachmentManifest.tag(image, AttachmentManifest.SIGNATURE_SUFFIX),
        sig.manifest(),
        sig.parsed().mediaType());
  }

  private static String reference(String repo) {
    return registry.hostPort() + "/" + repo;
  }

  private static Digest push(String repoTag) {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 4096).seed(seed++).build());
    images.push(image, registry.ref(repoTag));
    return Digest.parse(image.digest());
  }

  private static HttpResponse<String> manifest(String repo) throws Exception {
    return gateway.manifest(repo, "v1");
  }
}
