package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Cache;
import io.portcullis.core.policy.CheckResult;
import io.portcullis.core.policy.Mode;
import io.portcullis.core.policy.Outcome;
import io.portcullis.core.policy.PolicyDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cached decisions are bounded by what they hold, not by how many there are. */
class DecisionsTest {
  @Test
  void refusalsQuotingLargeClaimsStayWithinTheWeightBound() {
    long bound = 4L * 1024 * 1024;
    Cache<Decisions.DecisionKey, PolicyDecision> cache = Decisions.cache(bound).build();
    // What a signature claims (a certificate subject, an identity) is quoted in the refusal.
    String claim = "x".repeat(64 * 1024);
    for (int i = 0; i < 1_000; i++) {
      cache.put(
          new Decisions.DecisionKey(
              "sha256:r1", "everything", "team/app", ApprovalsTest.digest(i).toString()),
          new PolicyDecision(
              "everything",
              Mode.ENFORCE,
              false,
              false,
              List.of(new CheckResult("signatures", Outcome.FAILED, claim)),
              List.of(),
              "denied by policy 'everything': " + claim));
    }
    cache.cleanUp();
    // Each holds two 64 Ki-character strings: at least 256 KiB on the heap, so at most 16 fit.
    assertTrue(cache.estimatedSize() <= 16, "held " + cache.estimatedSize() + " of 1000");
    assertTrue(cache.estimatedSize() > 0, "recent ones stay");
  }
}
