package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The approvals the enforcer keeps: bounded by weight whatever outsiders pull, keyed by policy
 * revision (a reload drops every older approval), and never downgraded from content to artifact.
 */
class ApprovalsTest {
  private static final String REPO = "team/forged-approvals";

  @Test
  void manyApprovalsStayWithinTheWeightBound() {
    AtomicReference<String> revision = new AtomicReference<>("sha256:r1");
    Approvals approvals = new Approvals(revision::get);
    // The attack of issue 12: 12 manifests of 26,000 digests each, 312,000 approvals.
    Approvals.Content grant = new Approvals.Content(digest(-1).toString());
    for (int i = 0; i < 312_000; i++) {
      approvals.grant("sha256:r1", REPO, digest(i), grant);
    }
    long perEntry = Approvals.weigh(REPO, digest(0).toString(), grant);
    long held = approvals.size();
    assertTrue(
        held * perEntry <= Approvals.MAX_WEIGHT,
        held + " entries of weight " + perEntry + " exceed " + Approvals.MAX_WEIGHT);
    assertTrue(held < 312_000, "the bound evicted entries: " + held);
    assertTrue(approvals.get("sha256:r1", REPO, digest(311_999)).isPresent(), "recent ones stay");
  }

  @Test
  void aNewRevisionDropsEverythingApprovedUnderTheOldOne() {
    AtomicReference<String> revision = new AtomicReference<>("sha256:r1");
    Approvals approvals = new Approvals(revision::get);
    approvals.grant("sha256:r1", REPO, digest(1), new Approvals.Content(digest(9).toString()));
    assertTrue(approvals.get("sha256:r1", REPO, digest(1)).isPresent());

    revision.set("sha256:r2");
    assertTrue(approvals.get("sha256:r1", REPO, digest(1)).isEmpty(), "an old revision's ask");
    assertTrue(approvals.get("sha256:r2", REPO, digest(1)).isEmpty(), "dropped on reload");
    assertEquals(0, approvals.size());

    // A decision that finished after the reload approves nothing.
    approvals.grant("sha256:r1", REPO, digest(2), new Approvals.Content(digest(9).toString()));
    assertTrue(approvals.get("sha256:r2", REPO, digest(2)).isEmpty());
  }

  @Test
  void approvalsExpireAfterTheirLifetimeAndAreScopedToTheRepository() throws Exception {
    Approvals approvals = new Approvals(() -> "sha256:r1", Duration.ofMillis(50), 1 << 20);
    approvals.grant("sha256:r1", REPO, digest(1), new Approvals.Content(digest(9).toString()));
    assertTrue(approvals.get("sha256:r1", "team/other", digest(1)).isEmpty());
    long until = System.nanoTime() + Duration.ofMillis(60).toNanos();
    while (System.nanoTime() < until) {
      // reads do not extend the lifetime
      approvals.get("sha256:r1", REPO, digest(1));
      Thread.onSpinWait();
    }
    assertTrue(approvals.get("sha256:r1", REPO, digest(1)).isEmpty());
  }

  @Test
  void contentIsNeverDowngradedToAnArtifact() {
    Approvals approvals = new Approvals(() -> "sha256:r1");
    Approvals.Content content = new Approvals.Content(digest(9).toString());
    approvals.grant("sha256:r1", REPO, digest(1), content);
    approvals.grant("sha256:r1", REPO, digest(1), new Approvals.Artifact("application/cose", 10));
    assertEquals(content, approvals.get("sha256:r1", REPO, digest(1)).orElseThrow());
  }

  @Test
  void anApprovalFromAnotherReplicaKeepsOnlyTheTimeItHasLeft() throws Exception {
    Approvals approvals = new Approvals(() -> "sha256:r1");
    Approvals.Content content = new Approvals.Content(digest(9).toString());
    approvals.adopt("sha256:r1", REPO, digest(1), content, Duration.ofSeconds(1));
    approvals.adopt("sha256:r1", REPO, digest(2), content, Duration.ofMinutes(5));
    approvals.adopt(
        "sha256:r1",
        REPO,
        digest(2),
        new Approvals.Artifact("application/cose", 10),
        Duration.ofMinutes(5));
    approvals.adopt("sha256:r2", REPO, digest(3), content, Duration.ofMinutes(5));
    assertEquals(content, approvals.get("sha256:r1", REPO, digest(1)).orElseThrow());
    Thread.sleep(1100); // time passing is what is tested
    assertTrue(approvals.get("sha256:r1", REPO, digest(1)).isEmpty(), "ended with the original");
    assertEquals(
        content, approvals.get("sha256:r1", REPO, digest(2)).orElseThrow(), "no downgrade");
    assertTrue(approvals.get("sha256:r2", REPO, digest(3)).isEmpty(), "not the revision in force");
  }

  static Digest digest(int i) {
    return Digest.sha256(ByteBuffer.allocate(4).putInt(i).array());
  }
}
