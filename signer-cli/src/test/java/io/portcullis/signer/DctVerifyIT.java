package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.registry.RemoteRepository;
import io.portcullis.core.tuf.HttpTufRemote;
import io.portcullis.core.x509.DevPki;
import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.NotaryClient;
import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.TokenServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --dct-server} against a real {@code notary-server} (TLS from a development PKI)
 * whose tags the real {@code notary} client signed, and a real docker-registry for {@code
 * --dct-check-registry}: the exact digest, role and TUF key ids are printed, and what must not be
 * trusted is refused with exit 1 (or 2 for bad arguments, 3 for a server that cannot be reached).
 */
class DctVerifyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger REPOSITORIES = new AtomicInteger();
  private static NotaryProcess notary;
  private static CliHarness harness;

  @TempDir static Path keys;
  @TempDir Path work;

  @BeforeAll
  static void start() throws IOException {
    RequiredTools.check("notary", "notary-server");
    notary = NotaryProcess.start();
    harness = CliHarness.start(keys);
  }

  @AfterAll
  static void stop() {
    if (notary != null) {
      notary.close();
    }
    if (harness != null) {
      harness.close();
    }
  }

  /** A repository of a new GUN and the client that made it. */
  private record Repository(String gun, NotaryClient client) {
    void sign(String tag, byte[] manifest, String... roles) {
      client.addHash(gun, tag, manifest.length, Digest.sha256(manifest).hex(), roles).orThrow();
    }

    void publish() {
      client.publish(gun).orThrow();
    }
  }

  /** A new GUN on the notary server, in the registry of this class's harness. */
  private static Repository repository() {
    String gun = harness.host + "/dct/app" + REPOSITORIES.incrementAndGet();
    NotaryClient client = notary.client();
    client.init(gun).orThrow();
    return new Repository(gun, client);
  }

  private static byte[] manifest(String text) {
    return ("{\"schemaVersion\":2,\"annotations\":{\"t\":\"" + text + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** verify --dct-server with the server's CA and this test's trust directory. */
  private CliRun verify(String... args) {
    List<String> all = new ArrayList<>();
    all.add("verify");
    all.add("--dct-server=" + notary.url());
    all.add("--dct-ca-file=" + notary.caCertificate());
    all.add("--dct-trust-dir=" + work.resolve("trust"));
    all.addAll(List.of(args));
    return harness.cli(all.toArray(String[]::new));
  }

  /** One of the server's metadata files for {@code gun}, as JSON. */
  private static JsonNode metadata(String gun, String file) throws Exception {
    HttpTufRemote remote =
        new HttpTufRemote(notary.metadataUrl(gun), Duration.ofSeconds(10), notary.sslContext());
    return JSON.readTree(remote.fetch(file, 1 << 20).orElseThrow());
  }

  /** The key id of the (one) signature over a role's metadata: who signed it. */
  private static String signer(String gun, String file) throws Exception {
    JsonNode signatures = metadata(gun, file).path("signatures");
    assertEquals(1, signatures.size(), file + " " + signatures);
    return signatures.get(0).path("keyid").asText();
  }

  /** A releases delegation to a fresh development signer, whose key the client imports. */
  private void delegateReleases(Repository repo) throws IOException {
    Path pki = Files.createDirectories(work.resolve("releaser"));
    DevPki releaser = DevPki.generate();
    releaser.writeTo(pki, false);
    Path leaf = pki.resolve("releaser.crt");
    Files.writeString(leaf, CertificatePem.encode(releaser.signer()), StandardCharsets.US_ASCII);
    repo.client().addDelegation(repo.gun(), "targets/releases", leaf).orThrow();
    repo.publish();
    repo.client().importKey(pki.resolve("signer.key"), "targets/releases").orThrow();
  }

  private static void assertOneLineError(CliRun run, int exitCode) {
    assertEquals(exitCode, run.exitCode(), run.toString());
    assertEquals(1, run.errLines(), run.toString());
  }

  @Test
  void aSignedTagPrintsItsDigestRoleAndSignersAndLaterRunsChainFromTheFirstUseRoot()
      throws Exception {
    Repository repo = repository();
    byte[] base = manifest("base");
    byte[] released = manifest("released");
    repo.sign("base", base);
    repo.sign("v1", manifest("shadowed by the release"));
    repo.publish();
    delegateReleases(repo);
    repo.sign("v1", released, "targets/releases");
    repo.publish();
    String targetsKey = signer(repo.gun(), "targets.json");
    String releasesKey = signer(repo.gun(), "targets/releases.json");

    CliRun v1 = verify(repo.gun() + ":v1");
    assertEquals(0, v1.exitCode(), v1.toString());
    assertTrue(
        v1.out()
            .contains(
                "PASS tag v1: "
                    + Digest.sha256(released)
                    + " ("
                    + released.length
                    + " bytes) signed in targets/releases by "
                    + releasesKey),
        v1.toString());
    assertTrue(
        v1.out().contains("VERIFIED: " + repo.gun() + ":v1 is signed in Docker Content Trust: "),
        v1.toString());
    assertTrue(v1.out().contains("root trusted on first use: recorded in "), v1.toString());
    assertTrue(
        Files.isRegularFile(
            work.resolve("trust/127.0.0.1:" + notary.url().replaceAll(".*:", ""))
                .resolve(repo.gun())
                .resolve("root.json")),
        v1.toString());

    // the second run starts from the recorded root; targets only: the targets role's signature
    CliRun targets = verify("--dct-roles=targets", repo.gun() + ":base");
    assertEquals(0, targets.exitCode(), targets.toString());
    assertTrue(
        targets.out().contains("root chained from the root trusted on first use"),
        targets.toString());
    assertTrue(
        targets
            .out()
            .contains(
                "PASS tag base: "
                    + Digest.sha256(base)
                    + " ("
                    + base.length
                    + " bytes) signed in targets by "
                    + targetsKey),
        targets.toString());

    // by digest: the signed tags naming it
    CliRun byDigest = verify(repo.gun() + "@" + Digest.sha256(released));
    assertEquals(0, byDigest.exitCode(), byDigest.toString());
    assertTrue(byDigest.out().contains("PASS tag v1: " + Digest.sha256(released)), byDigest.out());
  }

  @Test
  void anUnsignedTagIsNotVerified() {
    Repository repo = repository();
    repo.sign("v1", manifest("v1"));
    repo.publish();

    CliRun v2 = verify(repo.gun() + ":v2");
    assertOneLineError(v2, ExitCodes.VERIFICATION_FAILED);
    assertTrue(
        v2.out()
            .contains(
                "FAIL tag v2: tag v2 of "
                    + repo.gun()
                    + " has no signed target in targets/releases or targets"),
        v2.toString());
    assertTrue(v2.out().contains("NOT VERIFIED: "), v2.toString());
    assertTrue(v2.err().contains("not verified: tag v2 of " + repo.gun()), v2.toString());

    // a repository the server has no trust data for at all
    CliRun none = verify(harness.host + "/dct/never-signed:v1");
    assertOneLineError(none, ExitCodes.VERIFICATION_FAILED);
    assertTrue(none.err().contains("has no trust data for"), none.toString());
  }

  @Test
  void aPinnedRootKeyMustHaveSignedTheRoot() throws Exception {
    Repository repo = repository();
    byte[] m = manifest("pinned");
    repo.sign("v1", m);
    repo.publish();
    JsonNode root = metadata(repo.gun(), "root.json").path("signed");
    String rootKeyId = root.path("roles").path("root").path("keyids").get(0).asText();
    Path rootCert = work.resolve("root.crt");
    Files.write(
        rootCert,
        (CertificatePem.encode(
                CertificatePem.parse(
                    Base64.getDecoder()
                        .decode(
                            root.path("keys")
                                .path(rootKeyId)
                                .path("keyval")
                                .path("public")
                                .asText()))))
            .getBytes(StandardCharsets.US_ASCII));

    CliRun byId = verify("--dct-root-key=" + rootKeyId, repo.gun() + ":v1");
    assertEquals(0, byId.exitCode(), byId.toString());
    assertTrue(byId.out().contains("root signed by the pinned root keys"), byId.toString());
    assertTrue(byId.out().contains("PASS tag v1: " + Digest.sha256(m)), byId.toString());
    CliRun byCert = verify("--dct-root-key=" + rootCert, repo.gun() + ":v1");
    assertEquals(0, byCert.exitCode(), byCert.toString());

    Path other = work.resolve("other.crt");
    Files.writeString(other, CertificatePem.encode(DevPki.generate().root()));
    CliRun wrong = verify("--dct-root-key=" + other, repo.gun() + ":v1");
    assertOneLineError(wrong, ExitCodes.VERIFICATION_FAILED);
    assertTrue(
        wrong.err().contains("is not signed by a threshold of the pinned root keys"),
        wrong.toString());
    assertFalse(wrong.out().contains("PASS"), wrong.toString());
  }

  @Test
  void aRootThatDoesNotChainFromTheOneTrustedOnFirstUseIsRefused() throws Exception {
    Repository first = repository();
    first.sign("v1", manifest("first"));
    first.publish();
    Repository second = repository();
    second.sign("v1", manifest("second"));
    second.publish();
    assertEquals(0, verify(second.gun() + ":v1").exitCode());

    // as if the server's root for the GUN had been replaced after the first use
    Path trust = work.resolve("trust/127.0.0.1:" + notary.url().replaceAll(".*:", ""));
    byte[] otherRoot = JSON.writeValueAsBytes(metadata(first.gun(), "root.json"));
    Files.write(trust.resolve(second.gun()).resolve("root.json"), otherRoot);

    CliRun replaced = verify(second.gun() + ":v1");
    assertOneLineError(replaced, ExitCodes.VERIFICATION_FAILED);
    assertTrue(replaced.out().contains("FAIL trust data: "), replaced.toString());
    assertFalse(replaced.out().contains("PASS"), replaced.toString());
  }

  @Test
  void theRegistryCheckFindsTheSignedManifestAndNotesAMovedTag() {
    Repository repo = repository();
    RemoteRepository remote =
        RemoteRepository.of(harness.host, repo.gun().substring(harness.host.length() + 1));
    byte[] signed = OneLayerImages.push(harness.client, remote, "v1", "signed layer");
    repo.sign("v1", signed);
    repo.sign("gone", manifest("never pushed"));
    repo.publish();

    CliRun same = verify("--dct-check-registry", repo.gun() + ":v1");
    assertEquals(0, same.exitCode(), same.toString());
    assertTrue(same.out().contains("PASS registry: "), same.toString());
    assertFalse(same.out().contains("NOTE registry"), same.toString());

    byte[] moved = OneLayerImages.push(harness.client, remote, "v1", "another layer");
    CliRun afterMove = verify("--dct-check-registry", repo.gun() + ":v1");
    assertEquals(0, afterMove.exitCode(), afterMove.toString());
    assertTrue(
        afterMove.out().contains("NOTE registry: tag v1 now names " + Digest.sha256(moved)),
        afterMove.toString());
    assertTrue(
        afterMove.out().contains("VERIFIED: ")
            && afterMove.out().contains(Digest.sha256(signed).toString()),
        afterMove.toString());

    CliRun gone = verify("--dct-check-registry", repo.gun() + ":gone");
    assertOneLineError(gone, ExitCodes.VERIFICATION_FAILED);
    assertTrue(gone.err().contains("has no manifest"), gone.toString());
  }

  /**
   * {@code verify --policy} with a dct requirement: it collects the evidence as the gateway does (a
   * tag's own signed target, first-use root under {@code --dct-trust-dir}), so a signed tag is
   * allowed and a pushed but unsigned tag is denied with the gateway's reason.
   */
  @Test
  void policyVerificationEvaluatesDctRequirementsLikeTheGateway() throws IOException {
    Repository repo = repository();
    RemoteRepository remote =
        RemoteRepository.of(harness.host, repo.gun().substring(harness.host.length() + 1));
    byte[] signed = OneLayerImages.push(harness.client, remote, "v1", "policy signed layer");
    OneLayerImages.push(harness.client, remote, "v2", "policy unsigned layer");
    repo.sign("v1", signed);
    repo.publish();
    Path policy =
        Files.writeString(
            work.resolve("policy.yaml"),
            """
            version: 1
            trustStores:
              dct-tofu: {type: notary-v1, server: '%s', caFile: '%s'}
            policies:
              - name: dct
                scopes: ["**"]
                signatures: {anyOf: [{type: dct, trustStore: dct-tofu}]}
            """
                .formatted(notary.url(), notary.caCertificate().toAbsolutePath()));
    List<String> common =
        List.of("verify", "--policy=" + policy, "--dct-trust-dir=" + work.resolve("trust"));

    CliRun v1 = harness.cli(with(common, repo.gun() + ":v1"));
    assertEquals(ExitCodes.OK, v1.exitCode(), v1.toString());
    assertTrue(v1.out().contains("ALLOWED: "), v1.toString());
    assertTrue(v1.out().contains("DCT " + repo.gun() + ":v1 in targets"), v1.toString());
    assertTrue(v1.out().contains(Digest.sha256(signed).toString()), v1.toString());
    assertTrue(Files.isDirectory(work.resolve("trust")), "first-use root recorded");

    CliRun v2 = harness.cli(with(common, repo.gun() + ":v2"));
    assertEquals(ExitCodes.VERIFICATION_FAILED, v2.exitCode(), v2.toString());
    assertTrue(v2.out().contains("DENIED: "), v2.toString());
    assertTrue(
        v2.out().contains("the DCT metadata of " + repo.gun() + " on ")
            && v2.out().contains("tag v2 of " + repo.gun() + " has no signed target in"),
        v2.toString());
    assertFalse(v2.out().contains("no Docker Content Trust data was collected"), v2.toString());
  }

  @Test
  void aTokenProtectedServerIsReadWithTheCredentialsFile() throws Exception {
    TokenServer tokens = new TokenServer("dct-reader", "reader-pw");
    try (tokens;
        NotaryProcess guarded = NotaryProcess.startWithTokenAuth(tokens)) {
      String gun = harness.host + "/dct/guarded";
      NotaryClient client = guarded.client().authenticated("dct-reader", "reader-pw");
      client.init(gun).orThrow();
      byte[] m = manifest("guarded");
      client.addHash(gun, "v1", m.length, Digest.sha256(m).hex()).orThrow();
      client.publish(gun).orThrow();
      List<String> common =
          List.of(
              "verify",
              "--dct-server=" + guarded.url(),
              "--dct-ca-file=" + guarded.caCertificate(),
              "--dct-trust-dir=" + work.resolve("guarded-trust"));

      // anonymous: the token service refuses, so nothing can be concluded
      CliRun anonymous = harness.cli(with(common, gun + ":v1"));
      assertOneLineError(anonymous, ExitCodes.COULD_NOT_VERIFY);
      assertTrue(anonymous.err().contains("credentials are needed"), anonymous.toString());

      Path creds = Files.writeString(work.resolve("notary-creds"), "dct-reader:reader-pw\n");
      int before = tokens.requests.size();
      CliRun withCreds = harness.cli(with(common, "--dct-credentials-file=" + creds, gun + ":v1"));
      assertEquals(0, withCreds.exitCode(), withCreds.toString());
      assertTrue(withCreds.out().contains("PASS tag v1: " + Digest.sha256(m)), withCreds.out());
      assertTrue(
          tokens
              .requests
              .subList(before, tokens.requests.size())
              .contains("auth repository:" + gun + ":pull"),
          tokens.requests.toString());
      assertFalse(withCreds.out().contains("reader-pw") || withCreds.err().contains("reader-pw"));
    }
  }

  private static String[] with(List<String> common, String... more) {
    List<String> all = new ArrayList<>(common);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void badArgumentsAndAnUnreachableServerAreOneLine() throws IOException {
    String image = harness.host + "/dct/app:v1";
    CliRun http = harness.cli("verify", "--dct-server=http://127.0.0.1:1", image);
    assertOneLineError(http, ExitCodes.USAGE);
    assertTrue(http.err().contains("must be an https URL"), http.toString());

    CliRun noServer = harness.cli("verify", "--dct-roles=targets", image);
    assertOneLineError(noServer, ExitCodes.USAGE);
    assertTrue(noServer.err().contains("need --dct-server"), noServer.toString());

    CliRun mixed = verify("--key=" + harness.key("a.pub"), image);
    assertOneLineError(mixed, ExitCodes.USAGE);

    CliRun role = verify("--dct-roles=releases", image);
    assertOneLineError(role, ExitCodes.USAGE);
    assertTrue(role.err().contains("is not a targets role"), role.toString());

    CliRun missingKey = verify("--dct-root-key=" + work.resolve("absent.pem"), image);
    assertOneLineError(missingKey, ExitCodes.USAGE);

    Path creds = Files.writeString(work.resolve("creds"), "no-colon-s3cret\n");
    CliRun badCreds = verify("--dct-credentials-file=" + creds, image);
    assertOneLineError(badCreds, ExitCodes.USAGE);
    assertFalse(badCreds.err().contains("s3cret"), badCreds.toString());

    int closed = FreePorts.loopback();
    CliRun down =
        harness.cli(
            "verify",
            "--dct-server=https://127.0.0.1:" + closed,
            "--dct-trust-dir=" + work.resolve("trust"),
            image);
    assertOneLineError(down, ExitCodes.COULD_NOT_VERIFY);
    assertTrue(down.err().contains("cannot read the trust data of"), down.toString());
  }
}
