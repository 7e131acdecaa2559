package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.dct.Gun;
import io.portcullis.core.policy.DctEvidence;
import io.portcullis.core.policy.NotaryTrustStore;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.testkit.NotaryClient;
import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.RequiredTools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FleetFirstUse} through {@link DctTrust} against a real notary-server, with the fleet's
 * roots in memory ({@link MemoryDctRoots}) so that a lost race and a state that cannot record can
 * be staged: the winner of a race is the root verified from, and a replica restarted while the
 * state is down verifies from its data directory's copy of the recorded root, never from nothing.
 */
class FleetFirstUseIT {
  private static NotaryProcess notary;
  private static Vertx vertx;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    RequiredTools.check("notary", "notary-server");
    notary = NotaryProcess.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
    if (notary != null) {
      notary.close();
    }
  }

  private static NotaryTrustStore store() {
    return NotaryStores.of(notary.url(), notary.caCertificate());
  }

  /** Verified afresh on every call, as after each refresh. */
  private DctTrust trust(Path data, MemoryDctRoots roots) {
    return new DctTrust(vertx, data, Clock.systemUTC(), Duration.ZERO, Optional.of(roots));
  }

  private static Future<DctEvidence> v1(DctTrust trust, String gun) {
    return trust.tag(store(), new Gun(gun), DctVerifier.DOCKER_ROLES, "v1");
  }

  private static DctEvidence await(Future<DctEvidence> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static NotaryClient signed(String gun, String hex) {
    NotaryClient client = notary.client();
    client.init(gun).orThrow();
    client.addHash(gun, "v1", 123, hex.repeat(32)).orThrow();
    client.publish(gun).orThrow();
    return client;
  }

  private static byte[] serversRoot(String gun) throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(notary.sslContext()).build();
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(notary.metadataUrl(gun).resolve("root.json")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  @Test
  void aFirstUseIsRecordedAndARaceLostToAnotherRootIsVerifiedFromTheWinner() throws Exception {
    String gun = "registry.test:5000/team/raced";
    NotaryClient owner = signed(gun, "ab");
    byte[] first = serversRoot(gun);
    MemoryDctRoots roots = new MemoryDctRoots();
    assertEquals(1, await(v1(trust(dir.resolve("a"), roots), gun)).signed().size());
    assertArrayEquals(first, roots.roots.get("dct " + gun).raw(), "the server's root recorded");

    // the server's root replaced while two replicas meet the GUN for the first time: the other
    // one read the old root and recorded it first, this one read the new root and lost the race
    owner.deleteRemote(gun).orThrow();
    signed(gun, "cd");
    MemoryDctRoots raced = new MemoryDctRoots();
    raced.otherReplicaFirst = new FleetDctRoots.Root(first, 1);
    DctEvidence refused = await(v1(trust(dir.resolve("b"), raced), gun));
    assertTrue(refused.signed().isEmpty(), refused.toString());
    assertTrue(
        refused.problem().orElseThrow().contains("is not the root trusted at that version"),
        refused.toString());
    assertArrayEquals(first, raced.roots.get("dct " + gun).raw(), "the winner stays recorded");
  }

  @Test
  void aReplicaRestartedWhileTheStateIsDownVerifiesFromItsCopyOfTheRecordedRoot() throws Exception {
    String gun = "registry.test:5000/team/held";
    signed(gun, "ef");
    MemoryDctRoots roots = new MemoryDctRoots();
    assertEquals(1, await(v1(trust(dir.resolve("a"), roots), gun)).signed().size());

    roots.down = true;
    // a new DctTrust holds nothing in memory: only the data directory's copy
    assertEquals(1, await(v1(trust(dir.resolve("a"), roots), gun)).signed().size());
    assertUnavailable(v1(trust(dir.resolve("b"), roots), gun), "is not known to this replica");
  }

  @Test
  void aFirstUseTheStateCannotRecordIs503AndLeavesNothingHeld() throws Exception {
    String gun = "registry.test:5000/team/unrecorded";
    signed(gun, "01");
    MemoryDctRoots roots = new MemoryDctRoots();
    roots.recordFails = true;
    assertUnavailable(
        v1(trust(dir.resolve("a"), roots), gun), "could not be recorded in the shared state");
    roots.down = true;
    // nothing held in memory nor on disk (a new DctTrust: no failure cached from the first call)
    assertUnavailable(v1(trust(dir.resolve("a"), roots), gun), "is not known to this replica");
  }

  private static void assertUnavailable(Future<DctEvidence> f, String says) {
    Throwable err =
        assertThrows(
                ExecutionException.class,
                () -> f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS))
            .getCause();
    assertTrue(
        err instanceof OciException e
            && e.code() == OciErrorCode.UNAVAILABLE
            && e.getMessage().contains(says),
        err.toString());
  }
}
