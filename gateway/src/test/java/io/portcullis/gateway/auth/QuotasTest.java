package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.QuotaConfig;
import io.portcullis.gateway.config.QuotaConfig.Limits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The token bucket and transfer slots of {@link Quotas}, on a clock the test moves. */
class QuotasTest {
  static final Identity ALICE = new Identity("alice", Identity.Kind.USER, List.of(), List.of());
  static final Identity BOB = new Identity("bob", Identity.Kind.USER, List.of(), List.of());
  static final Identity CI =
      new Identity("robot$ci", Identity.Kind.ROBOT, List.of("ci"), List.of());

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  Quotas quotas(Limits defaults, Map<String, Limits> roles) {
    return new Quotas(new QuotaConfig(defaults, roles, Map.of()), nanos::get);
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void aBurstThenTheSustainedRateAndTheWaitUntilTheNextToken() {
    Quotas q = quotas(new Limits(2, 3, Integer.MAX_VALUE), Map.of());
    for (int i = 0; i < 3; i++) {
      assertEquals(Optional.empty(), q.admitRequest(ALICE, "10.0.0.1"), "burst " + i);
    }
    assertEquals(Optional.of(Duration.ofMillis(500)), q.admitRequest(ALICE, "10.0.0.1"));
    assertEquals(Optional.empty(), q.admitRequest(BOB, "10.0.0.1"), "bob has his own bucket");
    advance(Duration.ofMillis(500));
    assertEquals(Optional.empty(), q.admitRequest(ALICE, "10.0.0.1"), "one token refilled");
    assertTrue(q.admitRequest(ALICE, "10.0.0.1").isPresent());
    advance(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertEquals(Optional.empty(), q.admitRequest(ALICE, "10.0.0.1"), "never more than burst");
    }
    assertTrue(q.admitRequest(ALICE, "10.0.0.1").isPresent());
  }

  @Test
  void anonymousCallersCountPerClientAddress() {
    Quotas q = quotas(new Limits(1, 1, Integer.MAX_VALUE), Map.of());
    Identity anon = AccessPolicy.anonymous();
    assertEquals(Optional.empty(), q.admitRequest(anon, "10.0.0.1"));
    assertTrue(q.admitRequest(anon, "10.0.0.1").isPresent());
    assertEquals(Optional.empty(), q.admitRequest(anon, "10.0.0.2"));
    assertEquals("anonymous@10.0.0.1", Quotas.key(anon, "10.0.0.1"));
    assertEquals("user:alice", Quotas.key(ALICE, "10.0.0.1"), "users whatever their address");
  }

  @Test
  void transferSlotsAreTakenAndReleasedOnce() {
    Quotas q = quotas(new Limits(Double.POSITIVE_INFINITY, Integer.MAX_VALUE, 2), Map.of());
    Quotas.Lease a = q.acquireTransfer(ALICE, "x").orElseThrow();
    Quotas.Lease b = q.acquireTransfer(ALICE, "x").orElseThrow();
    assertTrue(q.acquireTransfer(ALICE, "x").isEmpty(), "third refused");
    assertTrue(q.acquireTransfer(BOB, "x").isPresent(), "bob is not starved by alice");
    a.release();
    a.release();
    assertEquals(1, q.transfersInFlight("user:alice"), "a second release gives nothing back");
    Quotas.Lease c = q.acquireTransfer(ALICE, "x").orElseThrow();
    assertTrue(q.acquireTransfer(ALICE, "x").isEmpty());
    b.release();
    c.release();
    assertEquals(0, q.transfersInFlight("user:alice"));
  }

  @Test
  void stateWithATransferInFlightOutlivesTheIdleTime() {
    Quotas q = quotas(new Limits(Double.POSITIVE_INFINITY, Integer.MAX_VALUE, 1), Map.of());
    Quotas.Lease a = q.acquireTransfer(ALICE, "x").orElseThrow();
    advance(Duration.ofDays(1));
    assertTrue(q.acquireTransfer(ALICE, "x").isEmpty(), "still counted after a day");
    a.release();
    assertTrue(q.acquireTransfer(ALICE, "x").isPresent());
  }

  @ParameterizedTest(name = "roles {0} -> {1}/s burst {2}, {3} transfers")
  @CsvSource({
    "'',      1,   1, 1",
    "ci,      50, 100, 8",
    "'ci,big', 50, 500, 8",
  })
  void rolesGetTheMostGenerousLimitOfEach(String roles, double rate, int burst, int transfers) {
    Quotas q =
        quotas(
            new Limits(1, 1, 1),
            Map.of("ci", new Limits(50, 100, 8), "big", new Limits(10, 500, 2)));
    List<String> names = roles.isEmpty() ? List.of() : List.of(roles.split(","));
    Identity id = new Identity("x", Identity.Kind.ROBOT, names, List.of());
    assertEquals(new Limits(rate, burst, transfers), q.limits(id));
  }

  @Test
  void anIdentitysOwnLimitsBeatItsRoles() {
    Quotas q =
        new Quotas(
            new QuotaConfig(
                new Limits(1, 1, 1),
                Map.of("ci", new Limits(50, 100, 8)),
                Map.of("robot$ci", new Limits(5, 5, 2), "anonymous", new Limits(9, 9, 9))),
            nanos::get);
    assertEquals(new Limits(5, 5, 2), q.limits(CI));
    assertEquals(
        new Limits(50, 100, 8),
        q.limits(new Identity("robot$other", Identity.Kind.ROBOT, List.of("ci"), List.of())));
    assertEquals(
        new Limits(1, 1, 1), q.limits(AccessPolicy.anonymous()), "never by the name 'anonymous'");
  }

  @Test
  void withoutQuotasNothingIsCountedOrRefused() {
    Quotas q = new Quotas(QuotaConfig.NONE);
    for (int i = 0; i < 10_000; i++) {
      assertEquals(Optional.empty(), q.admitRequest(CI, "x"));
      assertTrue(q.acquireTransfer(CI, "x").isPresent());
    }
    assertEquals(0, q.transfersInFlight("robot:robot$ci"));
  }

  @ParameterizedTest(name = "{0} replicas: {1}/s burst {2}, {3} transfers")
  @CsvSource({
    "1, 20, 40, 4",
    "2, 10, 20, 2",
    "3, 6.666666666666667, 14, 2",
    "8, 2.5, 5, 1",
    "0, 20, 40, 4"
  })
  void eachReplicaEnforcesItsShareRoundedUp(int replicas, double rate, int burst, int transfers) {
    FleetShare fleet = new FleetShare();
    fleet.replicas(replicas);
    Quotas q =
        new Quotas(new QuotaConfig(new Limits(20, 40, 4), Map.of(), Map.of()), fleet, nanos::get);
    assertEquals(new Limits(rate, burst, transfers), q.limits(ALICE));
    for (int i = 0; i < transfers; i++) {
      assertTrue(q.acquireTransfer(ALICE, "a").isPresent());
    }
    assertTrue(q.acquireTransfer(ALICE, "a").isEmpty(), "only this replica's share");
  }

  @Test
  void theShareFollowsTheLiveCountAndNoLimitStaysNoLimit() {
    FleetShare fleet = new FleetShare();
    Quotas q =
        new Quotas(new QuotaConfig(new Limits(4, 4, 4), Map.of(), Map.of()), fleet, nanos::get);
    fleet.replicas(4);
    assertEquals(new Limits(1, 1, 1), q.limits(ALICE));
    fleet.replicas(1);
    assertEquals(new Limits(4, 4, 4), q.limits(ALICE));
    fleet.replicas(5);
    assertEquals(Limits.UNLIMITED, new Quotas(QuotaConfig.NONE, fleet, nanos::get).limits(ALICE));
  }
}
