package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import io.portcullis.testkit.sigstore.BundleReferrers;
import io.portcullis.testkit.sigstore.Fault;
import io.portcullis.testkit.sigstore.PrivateSigstore;
import io.portcullis.testkit.sigstore.SigningIdentity;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Sigstore end to end through the gateway, against Debian's docker-registry (no referrers API, so
 * the gateway reads the {@code sha256-<hex>} tag fallback): cosign v3 bundles stored as referrers,
 * key-based and keyless, the keyless ones from a private Sigstore instance the test builds (its own
 * Fulcio-style CA, CT log and Rekor-style log, listed in a test {@code trusted_root.json}). Good
 * signatures pass; each defect is a 403 DENIED naming it; GitHub-style provenance satisfies an
 * {@code attestations} rule; a legacy keyless {@code .sig} passes; the audit record names the
 * signer and the log index.
 */
class SigstoreIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUILDER = "https://github.com/actions/runner/github-hosted";

  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static BundleReferrers referrers;
  static PrivateSigstore sigstore;
  static KeyPair release;
  static Path auditLog;
  static int seed = 7000;

  static final SigningIdentity GOOD =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    referrers = new BundleReferrers(registry.url(), registry.credentials());
    sigstore = PrivateSigstore.builder().build();
    Files.write(dir.resolve("trusted_root.json"), sigstore.trustedRootJson());
    release = KeyAlgorithm.DEFAULT.generate();
    Files.writeString(dir.resolve("release.pub"), PublicKeyPem.encode(release.getPublic()));
    String identities =
        "[{issuer: "
            + SigningIdentity.GITHUB_ISSUER
            + ", subjectRegExp: '^https://github\\.com/myorg/[^/]+/\\.github/workflows/release\\.yml@refs/tags/v'}]";
    Files.writeString(
        dir.resolve("policy.yaml"),
        "version: 1\n"
            + "trustStores:\n"
            + "  private: {type: sigstore, trustedRoot: trusted_root.json}\n"
            + "  release-keys: {type: cosign, keys: [release.pub]}\n"
            + "policies:\n"
            + "  - name: keyless\n"
            + "    scopes: ['keyless/**']\n"
            + "    signatures: {anyOf: [{type: cosign, trustStore: private, identities: "
            + identities
            + "}]}\n"
            + "  - name: keyed\n"
            + "    scopes: ['keyed/**']\n"
            + "    signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}\n"
            + "  - name: attested\n"
            + "    scopes: ['attested/**']\n"
            + "    attestations: [{type: slsaprovenance, trustStore: private, builderId: '"
            + BUILDER
            + "', identities: "
            + identities
            + "}]\n"
            + "  - name: default\n"
            + "    scopes: ['**']\n"
            + "    mode: off\n");
    auditLog = dir.resolve("audit.jsonl");
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("internal", registry.url(), "", true)
            .extra(
                "policy: {file: "
                    + dir.resolve("policy.yaml")
                    + "}\naudit: {file: "
                    + auditLog
                    + "}\n")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, registry);
  }

  @Test
  void v3KeySignedImagePassesAndAnUnsignedOneIsDenied() throws Exception {
    Digest image = push("keyed/app:v1");
    referrers.attach(
        "keyed/app",
        image,
        sigstore.bundles().keyImageSignature("keyed/app", image, release, false));
    CommandResult pulled = pull("keyed/app:v1");
    assertTrue(pulled.ok(), pulled.stderr());
    push("keyed/unsigned:v1");
    HttpResponse<String> denied = manifest("keyed/unsigned", "v1");
    assertEquals(403, denied.statusCode(), denied.body());
    assertTrue(denied.body().contains("no cosign signature found"), denied.body());
  }

  @Test
  void keylessImageOfTheRightIdentityPassesAndTheAuditNamesSignerAndLogIndex() throws Exception {
    Digest image = push("keyless/good:v1");
    Descriptor referrer =
        referrers.attach(
            "keyless/good", image, sigstore.bundles().imageSignature("keyless/good", image, GOOD));
    CommandResult pulled = pull("keyless/good:v1");
    assertTrue(pulled.ok(), pulled.stderr());
    String audit = AuditRecords.awaitRecord(auditLog, "\"allowed\"", image.toString(), GOOD.san());
    assertTrue(audit.contains("issuer " + SigningIdentity.GITHUB_ISSUER), audit);
    assertTrue(audit.matches("(?s).*log index \\d+.*"), audit);

    // what cosign verify fetches through the gateway: the referrers tag, the bundle manifest
    // and its bundle layer, served as trust artifacts of the approved image
    String base = gateway.url() + "/v2/keyless/good/";
    assertEquals(200, Http.get(base + "manifests/" + image.referrersTag()).statusCode());
    HttpResponse<String> bundleManifest =
        Http.get(base + "manifests/" + referrer.digest(), "Accept", MediaTypes.OCI_MANIFEST);
    assertEquals(200, bundleManifest.statusCode(), bundleManifest.body());
    ImageManifest m =
        ManifestCodec.readManifest(bundleManifest.body().getBytes(StandardCharsets.UTF_8));
    assertEquals(200, Http.getBytes(base + "blobs/" + m.layers().get(0).digest()).statusCode());
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of("wrong identity", Fault.WRONG_SAN, "does not match subjectRegExp"),
        Arguments.of("wrong issuer", Fault.WRONG_ISSUER, "certificate issuer"),
        Arguments.of("no tlog entry", Fault.NO_TLOG_ENTRY, "no transparency log entry"),
        Arguments.of("SET over another body", Fault.SET_OVER_OTHER_BODY, "SET was not valid"),
        Arguments.of(
            "certificate expired at the logged time",
            Fault.LEAF_EXPIRED_AT_LOG_TIME,
            "signing certificate was not valid at the verified signing time"),
        Arguments.of(
            "CA not valid at that time",
            Fault.CA_NOT_VALID_AT_LOG_TIME,
            "certificate authority https://retired-fulcio.private.test was not valid"),
        Arguments.of("bad SCT", Fault.SCT_WRONG_KEY, "SCT signature"),
        Arguments.of("tampered bundle", Fault.TAMPERED_SIGNATURE, "DSSE signature does not verify"),
        Arguments.of(
            "bundle of another digest", Fault.OTHER_DIGEST, "do not include the artifact"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void keylessDefectIsDeniedNamingIt(String name, Fault fault, String reason) throws Exception {
    String repo = "keyless/fault-" + fault.name().toLowerCase(java.util.Locale.ROOT);
    Digest image = push(repo + ":v1");
    referrers.attach(repo, image, sigstore.bundles().imageSignature(repo, image, GOOD, fault));
    HttpResponse<String> r = manifest(repo, "v1");
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("DENIED", Http.errorCode(r));
    assertTrue(r.body().contains(reason), () -> name + ": " + r.body());
    assertTrue(r.body().contains("denied by policy 'keyless'"), r.body());
    CommandResult pulled = pull(repo + ":v1");
    assertTrue(!pulled.ok() && pulled.stderr().contains("denied"), pulled.stderr());
  }

  @Test
  void githubStyleProvenanceSatisfiesTheAttestationsRule() throws Exception {
    Digest image = push("attested/app:v1");
    referrers.attach(
        "attested/app", image, sigstore.bundles().provenance("attested/app", image, BUILDER, GOOD));
    assertEquals(200, manifest("attested/app", "v1").statusCode());
    String audit =
        AuditRecords.awaitRecord(
            auditLog, "\"allowed\"", image.toString(), "slsaprovenance attestation");
    assertTrue(audit.contains(GOOD.san()) && audit.contains("log index"), audit);

    Digest other = push("attested/other-builder:v1");
    referrers.attach(
        "attested/other-builder",
        other,
        sigstore
            .bundles()
            .provenance("attested/other-builder", other, "https://evil.example/builder", GOOD));
    HttpResponse<String> denied = manifest("attested/other-builder", "v1");
    assertEquals(403, denied.statusCode(), denied.body());
    assertTrue(denied.body().contains("provenance builder"), denied.body());

    push("attested/none:v1");
    HttpResponse<String> none = manifest("attested/none", "v1");
    assertEquals(403, none.statusCode(), none.body());
    assertTrue(none.body().contains("no keyless slsaprovenance attestation"), none.body());
  }

  @Test
  void legacyKeylessSigPassesThroughTheBundleVerifier() throws Exception {
    Digest image = push("keyless/legacy:v1");
    byte[] payload =
        SimpleSigningPayload.create(registry.hostPort() + "/keyless/legacy", image, Map.of()).raw();
    attachLegacy(
        "keyless/legacy", image, payload, sigstore.bundles().messageSignature(payload, GOOD));
    CommandResult pulled = pull("keyless/legacy:v1");
    assertTrue(pulled.ok(), pulled.stderr());
    AuditRecords.awaitRecord(auditLog, "\"allowed\"", image.toString(), "legacy .sig");

    Digest wrong = push("keyless/legacy-wrong:v1");
    byte[] wrongPayload =
        SimpleSigningPayload.create(registry.hostPort() + "/keyless/legacy-wrong", wrong, Map.of())
            .raw();
    attachLegacy(
        "keyless/legacy-wrong",
        wrong,
        wrongPayload,
        sigstore.bundles().messageSignature(wrongPayload, GOOD, Fault.WRONG_SAN));
    HttpResponse<String> denied = manifest("keyless/legacy-wrong", "v1");
    assertEquals(403, denied.statusCode(), denied.body());
    assertTrue(denied.body().contains("does not match subjectRegExp"), denied.body());
  }

  /**
   * A legacy cosign {@code .sig} manifest whose one layer carries what {@code bundleJson} (a
   * keyless message signature over {@code payload}) holds, in cosign's annotations.
   */
  private static void attachLegacy(String repo, Digest image, byte[] payload, byte[] bundleJson)
      throws Exception {
    JsonNode bundle = JSON.readTree(bundleJson);
    JsonNode material = bundle.get("verificationMaterial");
    JsonNode entry = material.get("tlogEntries").get(0);
    byte[] der = Base64.getDecoder().decode(material.get("certificate").get("rawBytes").asText());
    X509Certificate leaf =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
    Map<String, Object> rekorPayload = new LinkedHashMap<>();
    rekorPayload.put("body", entry.get("canonicalizedBody").asText());
    rekorPayload.put("integratedTime", entry.get("integratedTime").asLong());
    rekorPayload.put("logIndex", entry.get("logIndex").asLong());
    rekorPayload.put(
        "logID",
        HexFormat.of()
            .formatHex(Base64.getDecoder().decode(entry.get("logId").get("keyId").asText())));
    Map<String, Object> rekor = new LinkedHashMap<>();
    rekor.put(
        "SignedEntryTimestamp", entry.get("inclusionPromise").get("signedEntryTimestamp").asText());
    rekor.put("Payload", rekorPayload);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(
        CosignAnnotations.SIGNATURE, bundle.get("messageSignature").get("signature").asText());
    annotations.put(CosignAnnotations.CERTIFICATE, CertificatePem.encode(leaf));
    annotations.put(CosignAnnotations.CHAIN, "");
    annotations.put(CosignAnnotations.BUNDLE, JSON.writeValueAsString(rekor));
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    referrers.uploadBlob(repo, config);
    referrers.uploadBlob(repo, payload);
    ImageManifest sig =
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            null,
            Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(config), config.length),
            List.of(
                Descriptor.of(
                        SimpleSigningPayload.MEDIA_TYPE, Digest.sha256(payload), payload.length)
                    .withAnnotations(annotations)),
            null,
            null);
    referrers.putManifest(
        repo, image.referrersTag() + ".sig", ManifestCodec.write(sig), MediaTypes.OCI_MANIFEST);
  }

  private static Digest push(String repoTag) {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 4096).seed(seed++).build());
    images.push(image, registry.ref(repoTag));
    return Digest.parse(image.digest());
  }

  private static HttpResponse<String> manifest(String repo, String tag) throws Exception {
    return gateway.manifest(repo, tag);
  }

  private static CommandResult pull(String repoTag) {
    return skopeo.copy(
        "docker://" + gateway.hostPort() + "/" + repoTag, "dir:" + dir.resolve("pull-" + seed++));
  }
}
