package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.NotaryClient;
import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.PostgresProcess;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker Content Trust on first use across two replicas (A and B, each its own data directory)
 * sharing one PostgreSQL, with Debian's notary-server and notary client, docker-registry and
 * skopeo: the root A trusted first is the fleet's, so B, which never saw the GUN, refuses a root
 * that replaced it on the Notary server instead of trusting it on a first use of its own; a
 * rotation signed by the recorded root is followed and moves the record forward; with PostgreSQL
 * down a replica keeps verifying the GUNs whose root it holds and answers 503 for any other.
 */
class FleetDctIT {
  private static final String DB = "fleet_dct";

  @TempDir static Path dir;
  static PostgresProcess postgres;
  static RegistryProcess registry;
  static NotaryProcess notary;
  static Skopeo skopeo;
  static TestImages images;
  static GatewayFixture a;
  static GatewayFixture b;
  static int seed = 4100;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("notary", "notary-server", "docker-registry", "skopeo", "umoci");
    postgres = PostgresProcess.start();
    postgres.createDatabase(DB);
    registry = RegistryProcess.start();
    notary = NotaryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        version: 1
        trustStores:
          dct-tofu: {type: notary-v1, server: %s, caFile: '%s'}
        policies:
          - name: dct
            scopes: ["dct/**"]
            signatures: {anyOf: [{type: dct, trustStore: dct-tofu}]}
          - name: default
            scopes: ["**"]
            mode: off
        """
            .formatted(notary.url(), notary.caCertificate().toAbsolutePath()));
    a = replica("a");
    b = replica("b");
  }

  private static GatewayFixture replica(String name) throws Exception {
    return GatewayFixture.builder(dir.resolve("data-" + name))
        .upstream("internal", registry.url(), "", true)
        .extra(
            """
            policy: {file: '%s'}
            state:
              postgres: {url: '%s', user: %s, passwordFile: '%s'}
            """
                .formatted(
                    dir.resolve("policy.yaml"),
                    postgres.url(DB),
                    PostgresProcess.USER,
                    postgres.passwordFile()))
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, a, b, registry, notary, postgres);
  }

  @Test
  void aRootThatReplacedTheRecordedOneIsRefusedByAReplicaThatNeverSawTheGun() throws Exception {
    OciLayout signed = push("dct/replaced:v1");
    String gun = gun("dct/replaced");
    NotaryClient owner = notary.client();
    owner.init(gun).orThrow();
    sign(owner, gun, "v1", signed);
    owner.publish(gun).orThrow();
    assertEquals(signed.digest(), digestOf(a.manifest("dct/replaced", "v1")));
    assertEquals("1", recordedVersion(gun));

    // the GUN's trust data replaced on the server: new keys, a new root of the same version, and
    // the tag signed (and moved upstream) to another image
    owner.deleteRemote(gun).orThrow();
    OciLayout other = push("dct/replaced:v1");
    NotaryClient impostor = notary.client();
    impostor.init(gun).orThrow();
    sign(impostor, gun, "v1", other);
    impostor.publish(gun).orThrow();
    assertNotEquals(signed.digest(), other.digest());

    // B never verified this GUN: on its own it would trust the new root on first use
    HttpResponse<String> r = b.manifest("dct/replaced", "v1");
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("DENIED", Http.errorCode(r));
    assertTrue(r.body().contains("is not the root trusted at that version"), r.body());
    assertEquals("1", recordedVersion(gun));
  }

  @Test
  void aRotatedRootIsFollowedByTheOtherReplicaAndMovesTheRecordForward() throws Exception {
    OciLayout first = push("dct/rotated:v1");
    OciLayout second = push("dct/rotated:v2");
    String gun = gun("dct/rotated");
    NotaryClient client = notary.client();
    client.init(gun).orThrow();
    sign(client, gun, "v1", first);
    client.publish(gun).orThrow();
    assertEquals(first.digest(), digestOf(a.manifest("dct/rotated", "v1")));
    String recorded = recordedRoot(gun);

    client.rotateKey(gun, "root").orThrow();
    sign(client, gun, "v2", second);
    client.publish(gun).orThrow();

    assertEquals(second.digest(), digestOf(b.manifest("dct/rotated", "v2")));
    assertEquals("2", recordedVersion(gun));
    assertNotEquals(recorded, recordedRoot(gun));
    // A, which verified version 1, starts again from the record B moved: v2 once it asks again
    assertEquals(second.digest(), digestOf(awaitOk(a, "dct/rotated", "v2")));
  }

  @Test
  void withPostgresDownAHeldRootKeepsVerifyingAndAGunNeverSeenIs503() throws Exception {
    OciLayout image = push("dct/held:v1");
    images.push(image, registry.ref("dct/held:v2")); // the same image: nothing new to approve
    String gun = gun("dct/held");
    NotaryClient client = notary.client();
    client.init(gun).orThrow();
    sign(client, gun, "v1", image);
    client.publish(gun).orThrow();
    assertEquals(image.digest(), digestOf(a.manifest("dct/held", "v1")));
    OciLayout fresh = push("dct/fresh:v1");
    String freshGun = gun("dct/fresh");
    client.init(freshGun).orThrow();
    sign(client, freshGun, "v1", fresh);
    client.publish(freshGun).orThrow();
    // signed after A verified: A must verify the GUN again to find it
    sign(client, gun, "v2", image);
    client.publish(gun).orThrow();

    postgres.stop();
    try {
      assertEquals(image.digest(), digestOf(awaitOk(a, "dct/held", "v2")));
      assertUnavailable(b.manifest("dct/held", "v1"));
      assertUnavailable(a.manifest("dct/fresh", "v1"));
    } finally {
      postgres.startAgain();
    }
    assertEquals(fresh.digest(), digestOf(awaitOk(b, "dct/fresh", "v1")));
    assertEquals("1", recordedVersion(freshGun));
  }

  private static void assertUnavailable(HttpResponse<String> r) {
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("UNAVAILABLE", Http.errorCode(r));
    assertTrue(
        r.body().contains("shared state (PostgreSQL) is unavailable")
            && r.body().contains("is not known to this replica"),
        r.body());
  }

  private static String recordedVersion(String gun) {
    return postgres.sql(DB, "SELECT version FROM dct_roots WHERE gun = '" + gun + "'");
  }

  private static String recordedRoot(String gun) {
    return postgres.sql(DB, "SELECT md5(root) FROM dct_roots WHERE gun = '" + gun + "'");
  }

  /** The GUN {@code docker trust sign} uses when pushing to the upstream registry. */
  private static String gun(String repository) {
    return registry.hostPort() + "/" + repository;
  }

  private static void sign(NotaryClient client, String gun, String tag, OciLayout image)
      throws Exception {
    long size = Files.size(image.blob(image.digest()));
    client.addHash(gun, tag, size, image.digest().substring("sha256:".length())).orThrow();
  }

  private static OciLayout push(String repoTag) {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 4 * 1024).seed(seed++).build());
    images.push(image, registry.ref(repoTag));
    return image;
  }

  private static String digestOf(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
  }

  /**
   * The manifest once {@code replica} answers 200 (it asks the Notary server again each second).
   */
  private static HttpResponse<String> awaitOk(GatewayFixture replica, String repo, String ref)
      throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    HttpResponse<String> last = replica.manifest(repo, ref);
    while (last.statusCode() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      last = replica.manifest(repo, ref);
    }
    return last;
  }
}
