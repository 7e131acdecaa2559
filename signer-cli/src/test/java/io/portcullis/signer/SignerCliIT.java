package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.notation.NotationSigner;
import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryClientConfig;
import io.portcullis.core.registry.RemoteRepository;
import io.portcullis.core.x509.DevPki;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end against a real docker-registry, run in-process: keys, signatures, attestations
 * and Notary Project signatures, and each way verification must fail.
 */
class SignerCliIT {
  static CliHarness harness;
  static RegistryProcess registry;
  static RegistryClient client;
  static String host;

  @TempDir static Path keys;
  static Path password;
  static Path pki;

  @BeforeAll
  static void start() throws Exception {
    harness = CliHarness.start(keys);
    registry = harness.registry;
    host = harness.host;
    client = harness.client;
    password = harness.password;
    pki = keys.resolve("pki");
    CliRun.ok("certs", "dev", "--out", pki.toString());
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  static CliRun cli(String... args) {
    return harness.cli(args);
  }

  static String key(String name) {
    return harness.key(name);
  }

  static String image(String repo) {
    return harness.image(repo);
  }

  static Digest digestOf(String image) {
    return harness.digestOf(image);
  }

  @Test
  void keygenSignVerifyOnAnImagePushedBySkopeo() {
    String image = host + "/skopeo/app:1";
    try (Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      OciLayout app = images.build(ImageSpec.builder().layers(2, 4096).seed(7).build());
      images.push(app, registry.ref("skopeo/app:1"), "--dest-tls-verify=false");
      assertEquals(app.digest(), digestOf(image).toString());
    }

    CliRun sign = cli("sign", "--key", key("a.key"), image);
    assertEquals(0, sign.exitCode(), sign.toString());
    Digest digest = digestOf(image);
    assertTrue(sign.out().contains("signed " + host + "/skopeo/app@" + digest), sign.toString());

    CliRun verify = cli("verify", "--key", key("a.pub"), image);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("PASS #1 layer sha256:"), verify.toString());
    assertTrue(
        verify.out().contains("VERIFIED: 1 of 1 cosign signatures passed"), verify.toString());
  }

  @Test
  void signingAgainAppendsAndEachSignatureIsReported() {
    String image = image("append/app");
    assertEquals(0, cli("sign", "--key", key("a.key"), image).exitCode());
    assertEquals(0, cli("sign", "--key", key("b.key"), image).exitCode());

    CliRun withA = cli("verify", "--key", key("a.pub"), image);
    assertEquals(0, withA.exitCode(), withA.toString());
    assertTrue(withA.out().contains("VERIFIED: 1 of 2"), withA.toString());
    assertEquals(
        1, withA.out().lines().filter(l -> l.startsWith("FAIL ")).count(), withA.toString());
    assertEquals(0, cli("verify", "--key", key("b.pub"), image).exitCode());
  }

  @Test
  void wrongKeyFails() {
    String image = image("wrongkey/app");
    assertEquals(0, cli("sign", "--key", key("a.key"), image).exitCode());
    CliRun verify = cli("verify", "--key", key("b.pub"), image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("FAIL #1 layer"), verify.toString());
    assertTrue(verify.out().contains("NOT VERIFIED: 0 of 1"), verify.toString());
    assertTrue(verify.err().contains("verification failed for"), verify.toString());
  }

  @Test
  void unsignedImageFails() {
    CliRun verify = cli("verify", "--key", key("a.pub"), image("unsigned/app"));
    assertEquals(ExitCodes.VERIFICATION_FAILED, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("no cosign signatures found"), verify.toString());
  }

  @Test
  void tamperedPayloadFails() throws Exception {
    String image = image("tampered/app");
    String other = image("tampered/other");
    assertEquals(0, cli("sign", "--key", key("a.key"), image).exitCode());
    RemoteRepository repo = RemoteRepository.of(host, "tampered/app");
    Digest digest = digestOf(image);
    Tag tag = Tag.of(AttachmentManifest.tag(digest, AttachmentManifest.SIGNATURE_SUFFIX));
    ImageManifest signed = client.getManifest(repo, Reference.of(tag)).asManifest();
    Descriptor original = signed.layers().get(0);

    // an attacker swaps in a payload naming another image but keeps the valid signature
    byte[] forged =
        SimpleSigningPayload.create(repo.toString(), digestOf(other), Map.of("x", "y")).raw();
    AttachmentLayer swapped =
        AttachmentLayer.create(
            SimpleSigningPayload.MEDIA_TYPE,
            forged,
            Map.of(
                CosignAnnotations.SIGNATURE,
                original.annotations().get(CosignAnnotations.SIGNATURE)));
    AttachmentManifest replaced = AttachmentManifest.create(List.of(swapped), Instant.now());
    client.pushBlob(repo, forged, SimpleSigningPayload.MEDIA_TYPE);
    client.pushBlob(repo, replaced.config(), MediaTypes.OCI_CONFIG);
    client.pushManifest(repo, Reference.of(tag), replaced.manifest(), MediaTypes.OCI_MANIFEST);

    CliRun verify = cli("verify", "--key", key("a.pub"), image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("FAIL #1 layer " + Digest.sha256(forged)), verify.toString());
  }

  @Test
  void attestThenVerifyByType() throws Exception {
    String image = image("attest/app");
    Path predicate =
        Files.writeString(keys.resolve("vuln.json"), "{\"scanner\":{\"uri\":\"x\"},\"result\":[]}");
    CliRun attest =
        cli(
            "attest",
            "--key",
            key("a.key"),
            "--type",
            "vuln",
            "--predicate",
            predicate.toString(),
            image);
    assertEquals(0, attest.exitCode(), attest.toString());

    CliRun ok = cli("verify", "--key", key("a.pub"), "--attestation-type", "vuln", image);
    assertEquals(0, ok.exitCode(), ok.toString());
    assertTrue(ok.out().contains("https://cosign.sigstore.dev/attestation/vuln/v1"), ok.toString());

    CliRun otherType =
        cli("verify", "--key", key("a.pub"), "--attestation-type", "slsaprovenance", image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, otherType.exitCode(), otherType.toString());
    CliRun otherKey = cli("verify", "--key", key("b.pub"), "--attestation-type", "vuln", image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, otherKey.exitCode(), otherKey.toString());
    CliRun signatures = cli("verify", "--key", key("a.pub"), image);
    assertEquals(
        ExitCodes.VERIFICATION_FAILED, signatures.exitCode(), "an attestation is not a signature");
  }

  @Test
  void signRecursiveSignsEveryPlatformManifestOfAnIndex() {
    OneLayerImages.MultiPlatform plain =
        OneLayerImages.pushIndex(client, host, "multi/plain", "v1");
    OneLayerImages.MultiPlatform deep = OneLayerImages.pushIndex(client, host, "multi/deep", "v1");

    assertEquals(0, cli("sign", "--key", key("a.key"), plain.index()).exitCode());
    assertEquals(0, cli("verify", "--key", key("a.pub"), plain.index()).exitCode());
    for (String child : plain.children()) {
      CliRun verify = cli("verify", "--key", key("a.pub"), child);
      assertEquals(
          ExitCodes.VERIFICATION_FAILED,
          verify.exitCode(),
          "without --recursive a platform manifest carries no signature: " + verify);
    }

    CliRun sign = cli("sign", "--recursive", "--key", key("a.key"), deep.index());
    assertEquals(0, sign.exitCode(), sign.toString());
    assertEquals(3, sign.out().lines().filter(l -> l.startsWith("signed ")).count(), sign.out());
    assertEquals(0, cli("verify", "--key", key("a.pub"), deep.index()).exitCode());
    for (String child : deep.children()) {
      CliRun verify = cli("verify", "--key", key("a.pub"), child);
      assertEquals(0, verify.exitCode(), verify.toString());
      assertTrue(verify.out().contains("VERIFIED: 1 of 1"), verify.toString());
    }
  }

  @Test
  void notationSignRecursiveSignsEveryPlatformManifestOfAnIndex() throws Exception {
    OneLayerImages.MultiPlatform plain =
        OneLayerImages.pushIndex(client, host, "multi/notation-plain", "v1");
    OneLayerImages.MultiPlatform deep =
        OneLayerImages.pushIndex(client, host, "multi/notation-deep", "v1");
    Path store = trustStoreOf(pki, "recursive");

    assertEquals(0, cli(notationSign(plain.index(), pki)).exitCode());
    for (String child : plain.children()) {
      CliRun verify = cli("verify", "--trust-store", store.toString(), child);
      assertEquals(ExitCodes.VERIFICATION_FAILED, verify.exitCode(), verify.toString());
    }

    List<String> args = new java.util.ArrayList<>(List.of(notationSign(deep.index(), pki)));
    args.add(1, "--recursive");
    CliRun sign = cli(args.toArray(String[]::new));
    assertEquals(0, sign.exitCode(), sign.toString());
    assertEquals(0, cli("verify", "--trust-store", store.toString(), deep.index()).exitCode());
    for (String child : deep.children()) {
      CliRun verify = cli("verify", "--trust-store", store.toString(), child);
      assertEquals(0, verify.exitCode(), verify.toString());
    }
  }

  @Test
  void attestRecursiveAttestsEveryPlatformManifestOfAnIndex() throws Exception {
    OneLayerImages.MultiPlatform multi =
        OneLayerImages.pushIndex(client, host, "multi/attested", "v1");
    Path predicate =
        Files.writeString(
            keys.resolve("recursive-vuln.json"), "{\"scanner\":{\"uri\":\"x\"},\"result\":[]}");
    CliRun attest =
        cli(
            "attest",
            "--recursive",
            "--key",
            key("a.key"),
            "--type",
            "vuln",
            "--predicate",
            predicate.toString(),
            multi.index());
    assertEquals(0, attest.exitCode(), attest.toString());
    for (String child : multi.children()) {
      CliRun verify = cli("verify", "--key", key("a.pub"), "--attestation-type", "vuln", child);
      assertEquals(0, verify.exitCode(), verify.toString());
    }
  }

  static String[] notationSign(String image, Path dir) {
    return new String[] {
      "sign",
      "--format",
      "notation",
      "--cert",
      dir.resolve("signer.crt").toString(),
      "--cert-key",
      dir.resolve("signer.key").toString(),
      image
    };
  }

  static Path trustStoreOf(Path dir, String name) throws Exception {
    Path store = keys.resolve("stores").resolve(name);
    Files.createDirectories(store);
    Files.copy(dir.resolve("root.crt"), store.resolve("root.crt"));
    return store;
  }

  @Test
  void notationSignThenVerifyWithIdentity() throws Exception {
    String image = image("notation/app");
    CliRun sign = cli(notationSign(image, pki));
    assertEquals(0, sign.exitCode(), sign.toString());
    assertTrue(sign.out().contains("referrers API"), "distribution 2.8 needs the tag: " + sign);

    Path store = trustStoreOf(pki, "dev");
    CliRun verify = cli("verify", "--trust-store", store.toString(), image);
    assertEquals(0, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("PASS signature sha256:"), verify.toString());

    CliRun identity =
        cli(
            "verify",
            "--trust-store",
            store.toString(),
            "--identity",
            "x509.subject: C=US, ST=WA, O=Portcullis Dev",
            image);
    assertEquals(0, identity.exitCode(), identity.toString());

    CliRun wrongIdentity =
        cli(
            "verify",
            "--trust-store",
            store.toString(),
            "--identity",
            "x509.subject: C=US, ST=WA, O=Someone Else",
            image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, wrongIdentity.exitCode(), wrongIdentity.toString());
    assertTrue(wrongIdentity.out().contains("AUTHENTICITY"), wrongIdentity.toString());
  }

  @Test
  void untrustedRootFails() throws Exception {
    String image = image("notation/untrusted");
    assertEquals(0, cli(notationSign(image, pki)).exitCode());
    Path otherPki = keys.resolve("other-pki");
    DevPki.generate().writeTo(otherPki, false);
    CliRun verify =
        cli("verify", "--trust-store", trustStoreOf(otherPki, "other").toString(), image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("FAIL signature"), verify.toString());
    assertTrue(verify.out().contains("AUTHENTICITY"), verify.toString());
  }

  @Test
  void expiredCertificateFails() throws Exception {
    String image = image("notation/expired");
    RemoteRepository repo = RemoteRepository.of(host, "notation/expired");
    Instant longAgo = Instant.now().minus(Duration.ofDays(30));
    DevPki expired = DevPki.generate(longAgo, Duration.ofDays(2), DevPki.SIGNER_SUBJECT);
    Path expiredPki = keys.resolve("expired-pki");
    expired.writeTo(expiredPki, false);
    // signed while the certificate was valid; it has expired since and carries no timestamp
    NotationSigner signer = NotationSigner.create(expired.signerKey(), expired.signingChain());
    Descriptor subject = client.headManifest(repo, Reference.of(Tag.of("v1"))).orElseThrow();
    byte[] envelope = signer.sign(subject, longAgo.plus(Duration.ofDays(1)), null);
    new NotationSignatureStore(client)
        .push(
            repo,
            SignatureManifest.create(
                subject, EnvelopeFormat.JWS, envelope, signer.certificateChain()),
            envelope);

    CliRun verify =
        cli("verify", "--trust-store", trustStoreOf(expiredPki, "expired").toString(), image);
    assertEquals(ExitCodes.VERIFICATION_FAILED, verify.exitCode(), verify.toString());
    assertTrue(verify.out().contains("FAIL signature"), verify.toString());
    assertTrue(verify.out().contains("AUTHENTIC_TIMESTAMP FAILED"), verify.toString());
  }

  @Test
  void registryDownCouldNotVerify() {
    String down;
    try (RegistryProcess shortLived = RegistryProcess.start()) {
      down = shortLived.hostPort();
    }
    CliRun verify =
        CliRun.of(
            "verify", "--insecure-registry", down, "--key", key("a.pub"), down + "/team/app:v1");
    assertEquals(ExitCodes.COULD_NOT_VERIFY, verify.exitCode(), verify.toString());
    assertEquals(1, verify.errLines(), verify.toString());
    assertTrue(verify.err().contains("cannot reach registry " + down), verify.toString());
  }

  @Test
  void missingImageCouldNotVerify() {
    CliRun verify = cli("verify", "--key", key("a.pub"), host + "/nothing/here:v1");
    assertEquals(ExitCodes.COULD_NOT_VERIFY, verify.exitCode(), verify.toString());
    assertTrue(verify.err().contains("not found"), verify.toString());
  }

  @Test
  void credentialsFromAFileReachALockedRegistry() throws Exception {
    try (RegistryProcess locked = RegistryProcess.builder().basicAuth("alice", "pw").start()) {
      RegistryClient alice =
          RegistryClient.create(
              new RegistryClientConfig(
                  h ->
                      java.util.Optional.of(
                          new io.portcullis.core.registry.Credentials("alice", "pw")),
                  Set.of(locked.hostPort()),
                  Duration.ofSeconds(5)));
      RemoteRepository repo = RemoteRepository.of(locked.hostPort(), "team/app");
      Descriptor config =
          alice.pushBlob(repo, "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG);
      byte[] manifest =
          ManifestCodec.write(
              new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, List.of(), null, null));
      alice.pushManifest(repo, Reference.of(Tag.of("v1")), manifest, MediaTypes.OCI_MANIFEST);
      String image = locked.hostPort() + "/team/app:v1";
      Path creds = Files.writeString(keys.resolve("creds-" + locked.port()), "alice:pw\n");
      String[] common = {
        "--insecure-registry", locked.hostPort(), "--password-file", password.toString()
      };

      CliRun anonymous =
          CliRun.of(concat(new String[] {"sign", "--key", key("a.key")}, common, image));
      assertEquals(ExitCodes.COULD_NOT_VERIFY, anonymous.exitCode(), anonymous.toString());
      assertTrue(anonymous.err().contains("no credentials"), anonymous.toString());

      CliRun sign =
          CliRun.of(
              concat(
                  new String[] {
                    "sign", "--key", key("a.key"), "--registry-creds-file", creds.toString()
                  },
                  common,
                  image));
      assertEquals(0, sign.exitCode(), sign.toString());
      assertTrue(!sign.out().contains("pw") && !sign.err().contains("alice:pw"));
    }
  }

  static String[] concat(String[] head, String[] middle, String last) {
    List<String> all = new java.util.ArrayList<>(List.of(head));
    all.addAll(List.of(middle));
    all.add(last);
    return all.toArray(String[]::new);
  }

  @Test
  void usageErrors(@TempDir Path scratch) throws Exception {
    assertEquals(
        ExitCodes.USAGE, cli("verify", "--key", key("a.pub"), "NOT/valid:ref:x").exitCode());
    CliRun both =
        cli("verify", "--key", key("a.pub"), "--trust-store", pki.toString(), image("usage/app"));
    assertEquals(ExitCodes.USAGE, both.exitCode(), both.toString());
    CliRun overwrite = cli("keygen", "--out", key("a"));
    assertEquals(ExitCodes.USAGE, overwrite.exitCode(), overwrite.toString());
    assertTrue(overwrite.err().contains("refusing to overwrite"), overwrite.toString());

    Path wrong = Files.writeString(scratch.resolve("wrong"), "not-hello\n");
    CliRun badPassword =
        CliRun.of(
            "sign",
            "--insecure-registry",
            host,
            "--password-file",
            wrong.toString(),
            "--key",
            key("a.key"),
            image("usage/app"));
    assertEquals(ExitCodes.USAGE, badPassword.exitCode(), badPassword.toString());
    assertTrue(badPassword.err().contains("wrong password"), badPassword.toString());

    // no --password-file and no console (tests run without a terminal)
    CliRun noConsole = CliRun.of("keygen", "--out", scratch.resolve("k").toString());
    assertEquals(ExitCodes.USAGE, noConsole.exitCode(), noConsole.toString());
    assertTrue(noConsole.err().contains("--password-file"), noConsole.toString());
    assertTrue(Files.notExists(scratch.resolve("k.key")));

    CliRun certsAgain = CliRun.of("certs", "dev", "--out", pki.toString());
    assertEquals(ExitCodes.USAGE, certsAgain.exitCode(), certsAgain.toString());
  }
}
