package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Cache;
import io.portcullis.core.policy.CheckResult;
import io.portcullis.core.policy.Mode;
import io.portcullis.core.policy.Outcome;
import io.portcullis.core.policy.PolicyDecision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
              "sha256:r1", "everything", "team/app", ApprovalsTest.digest(i).toString(), false),
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

  @Test
  void anApprovalThatMayRestOnDctLastsOnlyTheDctLifetime() {
    AtomicLong nanos = new AtomicLong();
    Cache<Decisions.DecisionKey, PolicyDecision> cache =
        Decisions.cache(1024 * 1024, Duration.ofSeconds(15)).ticker(nanos::get).build();
    PolicyDecision approved =
        new PolicyDecision("p", Mode.ENFORCE, true, true, List.of(), List.of(), "allowed");
    var dct = new Decisions.DecisionKey("r", "p", "team/app", "sha256:a", true);
    var cosign = new Decisions.DecisionKey("r", "p", "team/app", "sha256:b", false);
    cache.put(dct, approved);
    cache.put(cosign, approved);

    nanos.addAndGet(Duration.ofSeconds(14).toNanos());
    assertNotNull(cache.getIfPresent(dct));
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertNull(cache.getIfPresent(dct), "a removed DCT signature must stop approving");
    assertNotNull(cache.getIfPresent(cosign), "other approvals stand for 10 minutes");
    nanos.addAndGet(Duration.ofMinutes(10).toNanos());
    assertNull(cache.getIfPresent(cosign));
  }

  @Test
  void aRefusalUnderADctPolicyLastsNoLongerThanTheDctLifetime() {
    AtomicLong nanos = new AtomicLong();
    Cache<Decisions.DecisionKey, PolicyDecision> cache =
        Decisions.cache(1024 * 1024, Duration.ofSeconds(1)).ticker(nanos::get).build();
    PolicyDecision refused =
        new PolicyDecision("p", Mode.ENFORCE, false, false, List.of(), List.of(), "denied");
    var dct = new Decisions.DecisionKey("r", "p", "team/app", "sha256:a", true);
    var cosign = new Decisions.DecisionKey("r", "p", "team/app", "sha256:b", false);
    cache.put(dct, refused);
    cache.put(cosign, refused);

    nanos.addAndGet(Duration.ofMillis(1500).toNanos());
    assertNull(cache.getIfPresent(dct), "a DCT refusal is re-checked within the DCT lifetime");
    assertNotNull(cache.getIfPresent(cosign), "other refusals stand for 15 s");
  }
}
