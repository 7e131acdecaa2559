package io.portcullis.gateway.state;

import static io.portcullis.gateway.state.StateFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.state.SharedApprovals.Approval;
import io.portcullis.gateway.state.SharedApprovals.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Approvals and pin bounds shared through a real PostgreSQL (schema version 2), with two pools
 * standing for two replicas on a fresh database per test.
 */
class SharedApprovalsIT extends TwoReplicas {
  private static final String REV = "sha256:" + "ab".repeat(32);
  private static final String REPO = "prod/app";

  private static String digest(String seed) {
    return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static Approval content(String seed) {
    return new Approval(digest(seed), Kind.CONTENT, digest("image"), 0);
  }

  @Test
  void approvalsRecordedThroughOneReplicaAreFoundThroughTheOtherForTheirLifetime()
      throws Exception {
    List<Approval> rows =
        List.of(
            content("config"),
            content("layer"),
            content("layer"), // a manifest may list a layer twice
            new Approval(digest("amd64"), Kind.PLATFORM, digest("index"), 0),
            new Approval(digest("sig"), Kind.ARTIFACT, "application/cose", 321));
    await(a.approvals().record(REV, REPO, rows, Duration.ofMinutes(30)));

    SharedApprovals.Found layer =
        await(b.approvals().lookup(REV, REPO, digest("layer"))).orElseThrow();
    assertEquals(content("layer"), layer.approval());
    assertTrue(
        layer.remaining().compareTo(Duration.ofMinutes(29)) > 0
            && layer.remaining().compareTo(Duration.ofMinutes(30)) <= 0,
        "the time left, by the database's clock: " + layer.remaining());
    assertEquals(
        rows.get(3),
        await(b.approvals().lookup(REV, REPO, digest("amd64"))).orElseThrow().approval());
    assertEquals(
        rows.get(4),
        await(b.approvals().lookup(REV, REPO, digest("sig"))).orElseThrow().approval());
    assertEquals(Optional.empty(), await(b.approvals().lookup(REV, "prod/other", digest("layer"))));
    assertEquals(
        Optional.empty(),
        await(b.approvals().lookup("sha256:" + "cd".repeat(32), REPO, digest("layer"))),
        "another policy revision");
  }

  @Test
  void contentIsNeverDowngradedToAnArtifact() throws Exception {
    Approval artifact = new Approval(digest("config"), Kind.ARTIFACT, "application/cose", 10);
    await(a.approvals().record(REV, REPO, List.of(content("config")), Duration.ofMinutes(30)));
    await(b.approvals().record(REV, REPO, List.of(artifact), Duration.ofMinutes(30)));
    assertEquals(
        content("config"),
        await(a.approvals().lookup(REV, REPO, digest("config"))).orElseThrow().approval());
    Approval sig = new Approval(digest("sig"), Kind.ARTIFACT, "application/cose", 10);
    await(a.approvals().record(REV, REPO, List.of(sig), Duration.ofMinutes(30)));
    await(b.approvals().record(REV, REPO, List.of(content("sig")), Duration.ofMinutes(30)));
    assertEquals(
        content("sig"),
        await(a.approvals().lookup(REV, REPO, digest("sig"))).orElseThrow().approval(),
        "an artifact's digest approved as content later is content");
  }

  @Test
  void endedApprovalsAreNotFoundAndArePurged() throws Exception {
    await(a.approvals().record(REV, REPO, List.of(content("short")), Duration.ofMillis(1)));
    await(a.approvals().record(REV, REPO, List.of(content("long")), Duration.ofMinutes(30)));
    Thread.sleep(20); // past the first one's end
    assertEquals(Optional.empty(), await(b.approvals().lookup(REV, REPO, digest("short"))));
    assertEquals(1, await(b.approvals().purgeExpired()));
    assertEquals("1", postgres.sql(database, "SELECT count(*) FROM approvals"));
  }

  @Test
  void oneManifestsListingIsOneBoundedBatch() throws Exception {
    List<Approval> rows = new ArrayList<>();
    for (int i = 0; i < SharedApprovals.MAX_BATCH; i++) {
      rows.add(content("layer " + i));
    }
    await(a.approvals().record(REV, REPO, rows, Duration.ofMinutes(30)));
    assertEquals(
        Integer.toString(SharedApprovals.MAX_BATCH),
        postgres.sql(database, "SELECT count(*) FROM approvals"));
    // the figure docs/state.md quotes for sizing
    System.out.println(
        "approvals: "
            + postgres.sql(
                database, "SELECT pg_total_relation_size('approvals') / count(*) FROM approvals")
            + " bytes a row, indexes included");
    rows.add(content("one too many"));
    assertThrows(
        IllegalArgumentException.class,
        () -> await(a.approvals().record(REV, REPO, rows, Duration.ofMinutes(30))));
  }

  @Test
  void pinsAreBoundedLikeThePinStore() throws Exception {
    TagPins pins = a.pins().withCapacity(2);
    TagPins.Key one = new TagPins.Key("hub", "team/app", "1");
    TagPins.Key two = new TagPins.Key("hub", "team/app", "2");
    TagPins.Key three = new TagPins.Key("hub", "team/app", "3");
    Digest d1 = Digest.parse(digest("1"));
    assertEquals(d1, await(pins.firstSeen(one, d1)));
    await(pins.firstSeen(two, Digest.parse(digest("2"))));
    assertThrows(
        TagPins.FullException.class, () -> await(pins.firstSeen(three, Digest.parse(digest("3")))));
    assertThrows(
        TagPins.FullException.class,
        () -> await(pins.signed(three, Digest.parse(digest("3")), Instant.now())));
    assertEquals(Optional.empty(), await(b.pins().lookup(three)), "nothing recorded");
    // tags pinned already still answer, and signed pins still move
    assertEquals(d1, await(pins.firstSeen(one, Digest.parse(digest("other")))));
    Digest newer = Digest.parse(digest("newer"));
    assertEquals(newer, await(pins.signed(two, newer, Instant.now().plusSeconds(60))));
  }
}
