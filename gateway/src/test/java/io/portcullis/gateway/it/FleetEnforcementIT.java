package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.PostgresProcess;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas (A and B, each with its own data directory) sharing one PostgreSQL act as one
 * gateway under an enforcing trust policy: a pin taken through one holds on the other, concurrent
 * first requests on both agree on one pin, and an image approved through A is served whole through
 * B, as it must be behind a load balancer that sends the manifest and each blob to different
 * replicas. With PostgreSQL stopped, what a replica knows keeps serving, anything new that needs
 * the shared state is a 503 (never an allow, never a false denial), and it recovers by itself.
 */
class FleetEnforcementIT {
  private static final String POLICY =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [release.pub]}
      policies:
        - name: fleet-prod
          scopes: ["prod/**"]
          mode: enforce
          signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
        - name: fleet-signed
          scopes: ["pinned/**"]
          mode: enforce
          signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
          tags: {pin: signed}
        - name: fleet-tofu
          scopes: ["tofu/**"]
          mode: enforce
          signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
          tags: {pin: first-seen}
        - name: default
          scopes: ["**"]
          mode: off
      """;

  @TempDir static Path dir;
  static PostgresProcess postgres;
  static RegistryProcess registry;
  static Skopeo skopeo;
  static TestImages images;
  static GatewayFixture a;
  static GatewayFixture b;
  static int seed = 1500;

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresProcess.start();
    postgres.createDatabase("fleet");
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    CacheEnforcedIT.makeReleaseKeys(dir);
    Files.writeString(dir.resolve("policy.yaml"), POLICY);
    a = replica("a");
    b = replica("b");
  }

  /** A replica with its own data directory, the shared policy file and the shared database. */
  private static GatewayFixture replica(String name) throws Exception {
    return GatewayFixture.builder(dir.resolve("data-" + name))
        .upstream("internal", registry.url(), "", false)
        .extra(
            "policy: {file: "
                + dir.resolve("policy.yaml")
                + "}\nstate:\n  postgres:\n    url: "
                + postgres.url("fleet")
                + "\n    user: "
                + PostgresProcess.USER
                + "\n    passwordFile: "
                + postgres.passwordFile()
                + "\n")
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, a, b, registry, postgres);
  }

  @Test
  void aFirstSeenPinTakenThroughOneReplicaHoldsOnTheOtherWhenTheTagMoves() throws Exception {
    OciLayout first = pushSigned("tofu/app:v1");
    assertEquals(first.digest(), served(a, "tofu/app", "v1"));
    OciLayout moved = pushSigned("tofu/app:v1"); // signed, but first-seen refuses any change
    HttpResponse<String> r = a.manifest("tofu/app", "v1");
    assertEquals(403, r.statusCode(), r.body());
    // B never saw the tag: without the shared pin it would take the moved digest as its first
    r = b.manifest("tofu/app", "v1");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(
        r.body().contains("first seen as " + first.digest())
            && r.body().contains(moved.digest())
            && r.body().contains("tag_pins"),
        r.body());
  }

  @Test
  void aSignedPinTakenThroughOneReplicaIsServedByTheOtherWhenTheTagMovesToAnUnsignedImage()
      throws Exception {
    OciLayout approved = pushSigned("pinned/app:v1");
    assertEquals(approved.digest(), served(a, "pinned/app", "v1"));
    push("pinned/app:v1"); // unsigned
    assertEquals(approved.digest(), served(b, "pinned/app", "v1"), "B serves the last approved");
  }

  @Test
  void twentyConcurrentFirstRequestsOnBothReplicasMakeOnePin() throws Exception {
    OciLayout image = pushSigned("tofu/race:v1");
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        GatewayFixture replica = i % 2 == 0 ? a : b;
        answers.add(pool.submit(() -> replica.manifest("tofu/race", "v1")));
      }
      Set<String> digests = new HashSet<>();
      for (Future<HttpResponse<String>> answer : answers) {
        HttpResponse<String> r = answer.get();
        assertEquals(200, r.statusCode(), r.body());
        digests.add(r.headers().firstValue("Docker-Content-Digest").orElseThrow());
      }
      assertEquals(Set.of(image.digest()), digests);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(
        "1|" + image.digest(),
        postgres.sql(
            "fleet",
            "SELECT count(*) || '|' || min(digest) FROM tag_pins"
                + " WHERE upstream = 'internal' AND repository = 'tofu/race' AND tag = 'v1'"),
        "one pin, in the shared state");
  }

  @Test
  void anImageApprovedThroughOneReplicaIsServedWholeThroughTheOther() throws Exception {
    OciLayout image = pushSigned("prod/app:v1");
    List<Digest> blobs = blobsOf(manifestBody(a, "prod/app", "v1"));
    assertEquals(3, blobs.size(), "config and two layers");
    for (Digest blob : blobs) {
      assertBlob(b, "prod/app", blob);
    }
    // cosign verify's path: the signature manifest through B, its payload layer through A
    String signature = manifestBody(b, "prod/app", Forgery.tagOf(image.digest(), ".sig"));
    Digest payload = blobsOf(signature).get(1);
    assertBlob(a, "prod/app", payload);
    // what no approved manifest lists stays refused on B
    OciLayout unsigned = push("prod/other:v1");
    HttpResponse<String> refused =
        Http.get(b.url() + "/v2/prod/other/manifests/" + unsigned.digest());
    assertEquals(403, refused.statusCode(), refused.body());
    Digest unlisted = blobsOf(direct("prod/other", unsigned.digest())).get(0);
    HttpResponse<String> r = Http.get(b.url() + "/v2/prod/app/blobs/" + unlisted);
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("DENIED", Http.errorCode(r));
  }

  @Test
  void aPlatformOfAnIndexApprovedThroughOneReplicaIsServedByDigestThroughTheOther()
      throws Exception {
    OciLayout index = images.buildTwoPlatformIndex(seed);
    seed += 2;
    images.push(index, registry.ref("prod/multi:v1"));
    Signer.sign(dir, "release", registry, "prod/multi:v1");
    HttpResponse<String> approved =
        Http.get(a.url() + "/v2/prod/multi/manifests/v1", "Accept", MediaTypes.OCI_INDEX);
    assertEquals(200, approved.statusCode(), approved.body());
    Descriptor platform =
        ManifestCodec.readIndex(approved.body().getBytes(StandardCharsets.UTF_8))
            .manifests()
            .get(0);
    // the platform manifest carries no signature of its own: only the index approves it
    String body = manifestBody(b, "prod/multi", platform.digest());
    for (Digest blob : blobsOf(body)) {
      assertBlob(a, "prod/multi", blob);
    }
  }

  @Test
  void withPostgresDownWhatIsKnownServesNewThingsAre503AndItRecoversByItself() throws Exception {
    pushSigned("prod/known:v1");
    List<Digest> known = blobsOf(manifestBody(a, "prod/known", "v1"));
    for (Digest blob : known) {
      assertBlob(b, "prod/known", blob);
    }
    OciLayout pinned = pushSigned("tofu/known:v1");
    assertEquals(pinned.digest(), served(a, "tofu/known", "v1"));
    assertEquals(pinned.digest(), served(b, "tofu/known", "v1"));
    OciLayout fresh = pushSigned("tofu/fresh:v1");
    OciLayout later = pushSigned("prod/later:v1");
    Digest laterBlob = blobsOf(direct("prod/later", later.digest())).get(0);

    postgres.stop();
    try {
      // approvals already known keep serving: manifest through A, blobs through B
      assertEquals(200, a.manifest("prod/known", "v1").statusCode());
      for (Digest blob : known) {
        assertBlob(b, "prod/known", blob);
      }
      // a blob nobody here approved: the shared state might have, so 503 (not 403, not 200)
      assertUnavailable(Http.get(b.url() + "/v2/prod/later/blobs/" + laterBlob), "blob");
      // a new approval cannot be shared with the other replicas
      assertUnavailable(a.manifest("prod/later", "v1"), "cannot be shared");
      // a new first-seen tag is never pinned by one replica alone
      assertUnavailable(b.manifest("tofu/fresh", "v1"), "first-seen");
      // pins already known keep resolving, also once their copy is no longer fresh (5 s)
      Thread.sleep(5_500);
      assertEquals(pinned.digest(), served(a, "tofu/known", "v1"));
      assertEquals(pinned.digest(), served(b, "tofu/known", "v1"));
    } finally {
      postgres.startAgain();
    }
    // back by itself, no restart: the pools reconnect on the next call
    assertEquals(fresh.digest(), served(a, "tofu/fresh", "v1"));
    assertEquals(later.digest(), served(a, "prod/later", "v1"));
    for (Digest blob : blobsOf(manifestBody(a, "prod/later", "v1"))) {
      assertBlob(b, "prod/later", blob);
    }
  }

  private static void assertUnavailable(HttpResponse<String> r, String says) {
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("UNAVAILABLE", Http.errorCode(r));
    assertTrue(
        r.body().contains("shared state (PostgreSQL) is unavailable") && r.body().contains(says),
        r.body());
  }

  /** The digest {@code replica} serves for {@code repo:tag}, which must be a 200. */
  private static String served(GatewayFixture replica, String repo, String tag) throws Exception {
    HttpResponse<String> r = replica.manifest(repo, tag);
    assertEquals(200, r.statusCode(), r.body());
    return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
  }

  private static String manifestBody(GatewayFixture replica, String repo, String reference)
      throws Exception {
    HttpResponse<String> r = replica.manifest(repo, reference);
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  /** The manifest straight from the registry, bypassing both replicas. */
  private static String direct(String repo, String digest) throws Exception {
    HttpResponse<String> r =
        Http.get(
            registry.url() + "/v2/" + repo + "/manifests/" + digest,
            "Accept",
            MediaTypes.OCI_MANIFEST);
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static void assertBlob(GatewayFixture replica, String repo, Digest blob)
      throws Exception {
    HttpResponse<byte[]> r = Http.getBytes(replica.url() + "/v2/" + repo + "/blobs/" + blob);
    assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(blob, Digest.sha256(r.body()), "the blob's bytes");
  }

  private static List<Digest> blobsOf(String manifest) {
    ImageManifest m = ManifestCodec.readManifest(manifest.getBytes(StandardCharsets.UTF_8));
    List<Digest> blobs = new ArrayList<>();
    blobs.add(m.config().parsedDigest());
    m.layers().forEach(l -> blobs.add(l.parsedDigest()));
    return blobs;
  }

  private static OciLayout push(String repoTag) {
    OciLayout image = images.build(ImageSpec.builder().layers(2, 8 * 1024).seed(seed++).build());
    images.push(image, registry.ref(repoTag));
    return image;
  }

  private static OciLayout pushSigned(String repoTag) {
    OciLayout image = push(repoTag);
    Signer.sign(dir, "release", registry, repoTag);
    return image;
  }
}
