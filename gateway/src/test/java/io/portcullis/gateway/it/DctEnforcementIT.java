package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.NotaryClient;
import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker Content Trust at the gateway, with the real programs: images pushed to docker-registry,
 * their tags signed with the {@code notary} client in Debian's {@code notary-server} under the GUN
 * {@code docker trust sign} would use for that registry, then pulled through the gateway with
 * skopeo under {@code dct} requirements.
 */
class DctEnforcementIT {
  /** The gateway's DCT refresh here, shortened from 30 s so that a removal is seen in the test. */
  private static final Duration REFRESH = Duration.ofSeconds(2);

  private static final String SOMEONE_ELSES_ROOT =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @TempDir static Path dir;
  static RegistryProcess registry;
  static NotaryProcess notary;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static Path auditLog;
  static DctRepositories repos;
  static int pulls;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("notary", "notary-server");
    registry = RegistryProcess.start();
    notary = NotaryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    repos = new DctRepositories(registry, notary, images, 700);
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release");
    String server =
        "server: " + notary.url() + ", caFile: " + notary.caCertificate().toAbsolutePath();
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        version: 1
        trustStores:
          dct-tofu: {type: notary-v1, %1$s}
          dct-pinned: {type: notary-v1, %1$s, rootKeys: [%2$s]}
          dct-down: {type: notary-v1, server: 'https://127.0.0.1:%3$d'}
          release-keys: {type: cosign, keys: [release.pub]}
        policies:
          - name: dct
            scopes: ["dct/**"]
            signatures: {anyOf: [{type: dct, trustStore: dct-tofu}]}
          - name: releases
            scopes: ["releases/**"]
            signatures: {anyOf: [{type: dct, trustStore: dct-tofu, roles: [targets/releases]}]}
          - name: pinned
            scopes: ["pinned/**"]
            signatures: {anyOf: [{type: dct, trustStore: dct-pinned}]}
          - name: down
            scopes: ["down/**"]
            signatures: {anyOf: [{type: dct, trustStore: dct-down}]}
          - name: either
            scopes: ["either/**"]
            signatures:
              anyOf: [{type: dct, trustStore: dct-tofu}, {type: cosign, trustStore: release-keys}]
          - name: default
            scopes: ["**"]
            mode: off
        """
            .formatted(server, SOMEONE_ELSES_ROOT, FreePorts.loopback()));
    auditLog = dir.resolve("audit/decisions.jsonl");
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("internal", registry.url(), "", true)
            .policy(dir.resolve("policy.yaml"), auditLog)
            .extra("dct: {refreshInterval: " + REFRESH.toSeconds() + "s}\n")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, registry, notary);
  }

  @Test
  void aSignedTagPullsItsSignedDigestEvenAfterTheUpstreamTagMoves() throws Exception {
    OciLayout signed = push("dct/app:v1");
    repos.signNew("dct/app", "v1", signed);
    String gun = repos.gun("dct/app");

    assertEquals(signed.digest(), pull("dct/app:v1").manifestDigest());

    OciLayout moved = push("dct/app:v1");
    assertNotEquals(signed.digest(), moved.digest());
    assertEquals(signed.digest(), pull("dct/app:v1").manifestDigest());
    HttpResponse<String> raw = gateway.manifest("dct/app", "v1");
    assertEquals(200, raw.statusCode(), raw.body());
    assertEquals(signed.digest(), raw.headers().firstValue("Docker-Content-Digest").orElseThrow());

    // by digest: the signed one passes, the one the tag moved to is signed by nothing
    assertEquals(200, gateway.manifest("dct/app", signed.digest()).statusCode());
    HttpResponse<String> unsigned = gateway.manifest("dct/app", moved.digest());
    assertEquals(403, unsigned.statusCode(), unsigned.body());
    assertTrue(unsigned.body().contains("no target signed in targets/releases or targets"));

    AuditRecords.awaitRecord(auditLog, "DCT " + gun + ":v1 in targets (TUF keys ");
  }

  @Test
  void anUnsignedTagIsDeniedAndSaysSo() throws Exception {
    OciLayout signed = push("dct/half:v1");
    push("dct/half:v2");
    repos.signNew("dct/half", "v1", signed);

    HttpResponse<String> r = gateway.manifest("dct/half", "v2");
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("DENIED", Http.errorCode(r));
    assertTrue(
        r.body().contains("tag v2 of dct/half has no DCT signature in targets/releases or targets"),
        r.body());
    CommandResult denied = skopeo.copy(viaGateway("dct/half:v2"), "dir:" + dir.resolve("half"));
    assertFalse(denied.ok());

    push("dct/nodata:v1"); // a repository the Notary server has no trust data for
    HttpResponse<String> none = gateway.manifest("dct/nodata", "v1");
    assertEquals(403, none.statusCode(), none.body());
    assertTrue(
        none.body().contains("has no trust data for " + repos.gun("dct/nodata")), none.body());
  }

  @Test
  void onlyTheRolesTheRequirementNamesCount() throws Exception {
    OciLayout released = push("releases/app:v1");
    OciLayout targetsOnly = push("releases/app:v0");
    NotaryClient client = repos.signNew("releases/app", "v0", targetsOnly);
    String gun = repos.gun("releases/app");
    client.delegateToNewSigner(gun, "targets/releases", dir.resolve("releaser"));
    repos.sign(client, "releases/app", "v1", released, "targets/releases");
    client.publish(gun).orThrow();

    HttpResponse<String> r = gateway.manifest("releases/app", "v1");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(released.digest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());
    AuditRecords.awaitRecord(auditLog, "DCT " + gun + ":v1 in targets/releases (TUF keys ");

    HttpResponse<String> v0 = gateway.manifest("releases/app", "v0");
    assertEquals(403, v0.statusCode(), v0.body());
    assertTrue(v0.body().contains("has no DCT signature in targets/releases of"), v0.body());
  }

  @Test
  void aSignedTargetOfAnotherLengthThanTheManifestIsDenied() throws Exception {
    OciLayout image = push("dct/length:v1");
    NotaryClient client = notary.client();
    String gun = repos.gun("dct/length");
    client.init(gun).orThrow();
    long size = Files.size(image.blob(image.digest()));
    String hex = image.digest().substring("sha256:".length());
    client.addHash(gun, "v1", size + 1, hex).orThrow();
    client.publish(gun).orThrow();

    HttpResponse<String> r = gateway.manifest("dct/length", "v1");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(
        r.body().contains("of " + (size + 1) + " bytes, but the registry's manifest has " + size),
        r.body());
  }

  @Test
  void metadataSignedByAnUnpinnedRootIsDenied() throws Exception {
    OciLayout signed = push("pinned/app:v1");
    repos.signNew("pinned/app", "v1", signed);

    HttpResponse<String> r = gateway.manifest("pinned/app", "v1");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("not signed by a threshold of the pinned root keys"), r.body());
  }

  @Test
  void aRotatedRootSignedByTheOldOneIsAccepted() throws Exception {
    OciLayout first = push("dct/rotated:v1");
    OciLayout second = push("dct/rotated:v2");
    NotaryClient client = repos.signNew("dct/rotated", "v1", first);
    String gun = repos.gun("dct/rotated");
    assertEquals(200, gateway.manifest("dct/rotated", "v1").statusCode()); // root recorded

    client.rotateKey(gun, "root").orThrow();
    repos.sign(client, "dct/rotated", "v2", second);
    client.publish(gun).orThrow();
    // v2 is not in the metadata verified before: the gateway asks again, walks 2.root.json
    HttpResponse<String> r = awaitOk("dct/rotated", "v2");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(second.digest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());
  }

  @Test
  void anyOfDctOrCosignPassesAnImageWithEither() throws Exception {
    OciLayout dctSigned = push("either/dct:v1");
    repos.signNew("either/dct", "v1", dctSigned);
    assertEquals(dctSigned.digest(), pull("either/dct:v1").manifestDigest());

    OciLayout cosigned = push("either/cosign:v1");
    Signer.sign(dir, "release", registry, "either/cosign:v1");
    assertEquals(cosigned.digest(), pull("either/cosign:v1").manifestDigest());

    push("either/neither:v1");
    HttpResponse<String> r = gateway.manifest("either/neither", "v1");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("release-keys") && r.body().contains("dct-tofu"), r.body());
  }

  /**
   * A digest approved by its DCT signature is refused once the signed target is removed ({@code
   * notary remove} and {@code publish}), within the refresh: the approval is not kept for the 10
   * minutes other approvals are.
   */
  @Test
  void aRemovedSignatureStopsApprovingItsDigestWithinTheRefresh() throws Exception {
    OciLayout image = push("dct/removed:v1");
    NotaryClient client = repos.signNew("dct/removed", "v1", image);
    String gun = repos.gun("dct/removed");
    assertEquals(200, gateway.manifest("dct/removed", image.digest()).statusCode());
    assertEquals(200, gateway.manifest("dct/removed", "v1").statusCode());

    client.remove(gun, "v1").orThrow();
    client.publish(gun).orThrow();
    long removed = System.nanoTime();
    HttpResponse<String> r = gateway.manifest("dct/removed", image.digest());
    while (r.statusCode() == 200 && System.nanoTime() - removed < 3 * REFRESH.toNanos()) {
      Thread.sleep(100);
      r = gateway.manifest("dct/removed", image.digest());
    }
    Duration took = Duration.ofNanos(System.nanoTime() - removed);
    assertEquals(403, r.statusCode(), "still approved " + took + " after the removal: " + r.body());
    assertTrue(r.body().contains("no target signed in targets/releases or targets"), r.body());
    assertTrue(
        took.compareTo(REFRESH.plusMillis(1500)) < 0,
        "refused only " + took + " after the removal");
    HttpResponse<String> byTag = gateway.manifest("dct/removed", "v1");
    assertEquals(403, byTag.statusCode(), byTag.body());
  }

  @Test
  void anUnreachableNotaryServerFailsClosedWith503() throws Exception {
    push("down/app:v1");
    HttpResponse<String> r = gateway.manifest("down/app", "v1");
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("UNAVAILABLE", Http.errorCode(r));
    assertTrue(r.body().contains("dct-down"), r.body());
  }

  private static OciLayout push(String repoTag) {
    return repos.push(repoTag);
  }

  private static String viaGateway(String repoTag) {
    return "docker://" + gateway.hostPort() + "/" + repoTag;
  }

  private static DirImage pull(String repoTag) throws Exception {
    Path out = dir.resolve("pull-" + pulls++);
    skopeo.copy(viaGateway(repoTag), "dir:" + out).orThrow();
    return DirImage.read(out);
  }

  /**
   * The manifest once the gateway answers 200, within 10 s (it re-verifies at most each second).
   */
  private static HttpResponse<String> awaitOk(String repo, String reference) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    HttpResponse<String> last = gateway.manifest(repo, reference);
    while (last.statusCode() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      last = gateway.manifest(repo, reference);
    }
    return last;
  }
}
