package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.FailedLoginConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link FailedLogins} on several replicas sharing one {@link FailedLogins.Ledger} (an in-memory
 * stand-in for the shared state's counters; {@code FleetAuthIT} runs the real one): a name locked
 * out on one replica is locked out on all, and with the ledger unreachable each replica counts
 * alone against its share of the limit rather than failing open.
 */
class SharedFailedLoginsTest {
  static final FailedLoginConfig LIMITS = new FailedLoginConfig(100, 4, Duration.ofMinutes(1));

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final FakeLedger ledger = new FakeLedger();
  final FleetShare fleet = new FleetShare();

  FailedLogins replica() {
    return new FailedLogins(LIMITS, Optional.of(ledger), fleet, nanos::get);
  }

  static FailedLogins.Admission admit(FailedLogins f, String address, String user) {
    return f.admit(address, user).result();
  }

  static boolean guess(FailedLogins f, String address, String user) {
    FailedLogins.Admission a = admit(f, address, user);
    a.attempt().ifPresent(FailedLogins.Attempt::failed);
    return a.attempt().isPresent();
  }

  @Test
  void aNameLockedOutOnOneReplicaIsLockedOutOnTheOther() {
    FailedLogins a = replica();
    FailedLogins b = replica();
    for (int i = 0; i < 4; i++) {
      assertTrue(guess(a, "10.0.0.1", "alice"), "guess " + i + " on A");
    }
    FailedLogins.Admission onB = admit(b, "10.0.0.2", "alice");
    assertTrue(onB.attempt().isEmpty(), "B refuses the name A locked out");
    assertTrue(onB.refusal().orElseThrow().reason().contains("for 'alice'"));
    assertTrue(admit(b, "10.0.0.2", "bob").attempt().isPresent(), "other names are not held");
  }

  @Test
  void guessesSpreadOverReplicasAddUp() {
    FailedLogins a = replica();
    FailedLogins b = replica();
    assertTrue(guess(a, "10.0.0.1", "alice"));
    assertTrue(guess(b, "10.0.0.2", "alice"));
    assertTrue(guess(a, "10.0.0.3", "alice"));
    assertTrue(guess(b, "10.0.0.4", "alice"));
    assertTrue(admit(a, "10.0.0.5", "alice").attempt().isEmpty(), "4 in all, on two replicas");
    assertEquals(4, ledger.counts.get("user:alice"));
  }

  @Test
  void withTheLedgerDownEachReplicaCountsAgainstItsShare() {
    fleet.replicas(2);
    ledger.down = true;
    FailedLogins a = replica();
    assertTrue(guess(a, "10.0.0.1", "alice"));
    assertTrue(guess(a, "10.0.0.1", "alice"));
    FailedLogins.Admission third = admit(a, "10.0.0.1", "alice");
    assertTrue(third.attempt().isEmpty(), "2 of 4 on each of 2 replicas: the fleet's 4 in all");
    assertTrue(third.refusal().orElseThrow().reason().startsWith("2 failed logins for 'alice'"));

    ledger.down = false;
    assertTrue(admit(a, "10.0.0.1", "alice").attempt().isPresent(), "whole limit again");
  }

  @Test
  void whatWasLearntBeforeAnOutageStillCounts() {
    FailedLogins a = replica();
    FailedLogins b = replica();
    for (int i = 0; i < 4; i++) {
      guess(a, "10.0.0.1", "alice");
    }
    admit(b, "10.0.0.2", "alice");
    ledger.down = true;
    assertTrue(admit(b, "10.0.0.2", "alice").attempt().isEmpty(), "B remembers the lockout");
  }

  @Test
  void aFailureIsAnsweredOnlyOnceTheFleetCountsItAndAnOutageDoesNotFailIt() {
    Promise<FailedLogins.Ledger.Count> write = Promise.promise();
    FailedLogins.Ledger slow =
        new FailedLogins.Ledger() {
          @Override
          public Future<Count> recordFailure(String key, Duration window) {
            return write.future();
          }

          @Override
          public Future<Count> read(String key) {
            return Future.succeededFuture(new Count(0, Duration.ZERO));
          }
        };
    FailedLogins f = new FailedLogins(LIMITS, Optional.of(slow), fleet, nanos::get);
    Future<Void> done = admit(f, "10.0.0.1", "alice").attempt().orElseThrow().failed();
    assertFalse(done.isComplete(), "not before the fleet's count has it");
    write.fail(new IllegalStateException("shared state unavailable"));
    assertTrue(done.succeeded(), "the local count has it: the answer goes out");
  }

  /** The shared counters in memory; windows are not timed here (FailedLoginsTest does that). */
  static final class FakeLedger implements FailedLogins.Ledger {
    final Map<String, Integer> counts = new ConcurrentHashMap<>();
    volatile boolean down;

    @Override
    public Future<Count> recordFailure(String key, Duration window) {
      if (down) {
        return Future.failedFuture(new IllegalStateException("shared state unavailable"));
      }
      return Future.succeededFuture(new Count(counts.merge(key, 1, Integer::sum), window));
    }

    @Override
    public Future<Count> read(String key) {
      if (down) {
        return Future.failedFuture(new IllegalStateException("shared state unavailable"));
      }
      int n = counts.getOrDefault(key, 0);
      return Future.succeededFuture(new Count(n, n == 0 ? Duration.ZERO : Duration.ofMinutes(1)));
    }
  }
}
