package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Digest;

/**
 * Prints the measured heap bytes of one approval next to {@link Approvals#weigh}'s estimate, the
 * figure the weight bound is sized from. A program, not a timed test: run it with {@code java -cp
 * <test and runtime classpath> io.portcullis.gateway.enforce.ApprovalsFootprint}.
 */
public final class ApprovalsFootprint {
  private ApprovalsFootprint() {}

  public static void main(String[] args) throws Exception {
    int n = 200_000;
    Approvals approvals = new Approvals(() -> "sha256:r1", Approvals.LIFETIME, Long.MAX_VALUE);
    Approvals.Content grant = new Approvals.Content(ApprovalsTest.digest(-1).toString());
    long before = used();
    for (int i = 0; i < n; i++) {
      // A fresh repository string per entry, as each request makes its own.
      approvals.grant(
          "sha256:r1",
          new String("docker.io/library/alpine".toCharArray()),
          ApprovalsTest.digest(i),
          new Approvals.Content(grant.approvedBy()));
    }
    long after = used();
    Digest sample = ApprovalsTest.digest(0);
    System.out.printf(
        "approvals: %d entries, %.0f bytes each measured, %d estimated by weigh()%n",
        approvals.size(),
        (after - before) / (double) n,
        Approvals.weigh("docker.io/library/alpine", sample.toString(), grant));
  }

  private static long used() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
