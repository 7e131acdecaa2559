package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Shared pins as one replica sees them, against an in-memory table that can be taken down: known
 * pins keep resolving while it is down, unknown ones fail (the enforcer answers 503), nothing is
 * pinned locally, and warm pulls do not write.
 */
class SharedPinsTest {
  private static final String UP = "hub";
  private static final String REPO = "team/app";

  private static Digest digest(int i) {
    return ApprovalsTest.digest(i);
  }

  @Test
  void aFirstSeenPinIsTakenInTheTableAndAgreedOn() {
    MemoryFleetState table = new MemoryFleetState();
    SharedPins pins = new SharedPins(table);
    assertEquals(Optional.empty(), pins.get(UP, REPO, "v1").result());
    // another replica won the race: this one is told its digest
    table.pins.put(new FleetState.PinKey(UP, REPO, "v1"), digest(1));
    assertEquals(Optional.of(digest(1)), pins.pinFirst(UP, REPO, "v1", digest(2)).result());
    assertEquals(Optional.of(digest(1)), pins.get(UP, REPO, "v1").result());
  }

  @Test
  void knownPinsKeepResolvingWhileTheTableIsDownAndUnknownOnesFail() {
    MemoryFleetState table = new MemoryFleetState();
    SharedPins pins = new SharedPins(table);
    pins.pinFirst(UP, REPO, "known", digest(1)).result();
    table.down = true;
    assertEquals(Optional.of(digest(1)), pins.get(UP, REPO, "known").result());
    assertTrue(pins.get(UP, REPO, "new").failed(), "an unknown pin cannot be answered");
    assertTrue(pins.pinFirst(UP, REPO, "new", digest(2)).failed(), "never pinned locally");
    table.down = false;
    assertEquals(Optional.empty(), pins.get(UP, REPO, "new").result());
  }

  @Test
  void aFreshCopyIsUsedWithoutAskingAndAfterAFailureTheTableIsSparedForAMoment() throws Exception {
    MemoryFleetState table = new MemoryFleetState();
    Duration fresh = Duration.ofMillis(200);
    Duration afterFailure = Duration.ofMillis(300);
    SharedPins pins = new SharedPins(table, fresh, afterFailure);
    pins.pinFirst(UP, REPO, "v1", digest(1)).result();
    int calls = table.calls;
    for (int i = 0; i < 10; i++) {
      assertEquals(Optional.of(digest(1)), pins.get(UP, REPO, "v1").result());
    }
    assertEquals(calls, table.calls, "a fresh copy: no round trip per pull");

    Thread.sleep(fresh.toMillis() + 50); // the copy goes stale: time passing is what is tested
    table.down = true;
    assertEquals(Optional.of(digest(1)), pins.get(UP, REPO, "v1").result(), "stale, table down");
    assertEquals(calls + 1, table.calls, "a stale copy is read again");
    assertEquals(Optional.of(digest(1)), pins.get(UP, REPO, "v1").result());
    assertEquals(calls + 1, table.calls, "right after a failure the table is not asked");
    Thread.sleep(afterFailure.toMillis() + 50);
    assertEquals(Optional.of(digest(1)), pins.get(UP, REPO, "v1").result());
    assertEquals(calls + 2, table.calls, "then it is asked again");
  }

  @Test
  void aFullTableRefusesANewPinButNotAnExistingOne() {
    MemoryFleetState table = new MemoryFleetState();
    table.capacity = 1;
    SharedPins pins = new SharedPins(table);
    assertEquals(Optional.of(digest(1)), pins.pinFirst(UP, REPO, "v1", digest(1)).result());
    assertEquals(Optional.empty(), pins.pinFirst(UP, REPO, "v2", digest(2)).result());
    assertEquals(Optional.of(digest(1)), pins.pinFirst(UP, REPO, "v1", digest(3)).result());
  }

  @Test
  void aSignedPinIsWrittenOnceAndOneThatCannotBeWrittenIsKeptAndWrittenLater() {
    MemoryFleetState table = new MemoryFleetState();
    SharedPins pins = new SharedPins(table);
    pins.approved(UP, REPO, "stable", digest(1), Instant.now()).result();
    pins.approved(UP, REPO, "stable", digest(1), Instant.now()).result();
    assertEquals(1, table.writes, "a warm pull does not write");

    table.down = true;
    assertTrue(pins.approved(UP, REPO, "stable", digest(2), Instant.now()).succeeded());
    assertEquals(
        Optional.of(digest(2)),
        pins.get(UP, REPO, "stable").result(),
        "this replica falls back on what it approved");
    table.down = false;
    pins.approved(UP, REPO, "stable", digest(2), Instant.now()).result();
    assertEquals(digest(2), table.pins.get(new FleetState.PinKey(UP, REPO, "stable")));
  }
}
