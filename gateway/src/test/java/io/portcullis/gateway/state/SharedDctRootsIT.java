package io.portcullis.gateway.state;

import static io.portcullis.gateway.state.StateFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.state.SharedDctRoots.Root;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fleet's DCT first-use roots against a real PostgreSQL, two pools standing for two replicas:
 * replicas racing on a new GUN agree on one root, and a record moves only forward along the chain a
 * replica verified from it.
 */
class SharedDctRootsIT extends TwoReplicas {
  private static final String STORE = "dct-prod";
  private static final String GUN = "registry.corp:5000/team/app";

  private static Root root(String name, long version) {
    return new Root(("{\"root\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8), version);
  }

  @Test
  void replicasRacingOnANewGunAllAgreeOnOneRoot() throws Exception {
    List<Future<Root>> racing = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      racing.add(a.dctRoots().recordFirstUse(STORE, GUN, root("a" + i, 1)));
      racing.add(b.dctRoots().recordFirstUse(STORE, GUN, root("b" + i, 1 + i)));
    }
    await(Future.join(racing));
    Set<Root> winners = new HashSet<>();
    racing.forEach(f -> winners.add(f.result()));
    assertEquals(1, winners.size(), winners.toString());
    assertEquals(Optional.of(winners.iterator().next()), await(b.dctRoots().lookup(STORE, GUN)));
    assertEquals("1", postgres.sql(database, "SELECT count(*) FROM dct_roots"));
  }

  @Test
  void aFirstUseNeverReplacesARecordedRootWhateverItsVersion() throws Exception {
    Root first = root("first", 1);
    assertEquals(first, await(a.dctRoots().recordFirstUse(STORE, GUN, first)));
    assertEquals(first, await(b.dctRoots().recordFirstUse(STORE, GUN, root("attacker", 9))));
    // another trust store, or another GUN, is another record
    Root other = root("other", 1);
    assertEquals(other, await(b.dctRoots().recordFirstUse("dct-test", GUN, other)));
    assertEquals(other, await(b.dctRoots().recordFirstUse(STORE, GUN + "/other", other)));
    assertEquals(Optional.of(first), await(b.dctRoots().lookup(STORE, GUN)));
  }

  @Test
  void aRecordMovesForwardOnlyFromTheRootItHolds() throws Exception {
    Root one = root("one", 1);
    Root two = root("two", 2);
    Root three = root("three", 3);
    await(a.dctRoots().recordFirstUse(STORE, GUN, one));

    assertEquals(two, await(a.dctRoots().advance(STORE, GUN, one, two)));
    // B verified from version 1 too, slower: the record is no longer 1, B is told 2
    assertEquals(two, await(b.dctRoots().advance(STORE, GUN, one, three)));
    // never backward, even from the root it holds
    assertEquals(two, await(b.dctRoots().advance(STORE, GUN, two, root("older", 1))));
    assertEquals(two, await(b.dctRoots().advance(STORE, GUN, two, root("same-version", 2))));
    assertEquals(three, await(b.dctRoots().advance(STORE, GUN, two, three)));
    assertEquals(Optional.of(three), await(a.dctRoots().lookup(STORE, GUN)));
    assertEquals(
        "3",
        postgres.sql(database, "SELECT version FROM dct_roots WHERE gun = '" + GUN + "'"),
        "the version column follows");
  }

  @Test
  void aRecordDeletedByAnOperatorIsMadeAgainByTheNextAdvance() throws Exception {
    Root one = root("one", 1);
    await(a.dctRoots().recordFirstUse(STORE, GUN, one));
    postgres.sql(database, "DELETE FROM dct_roots");
    assertEquals(Optional.empty(), await(a.dctRoots().lookup(STORE, GUN)));
    Root two = root("two", 2);
    assertEquals(two, await(b.dctRoots().advance(STORE, GUN, one, two)));
  }

  @Test
  void aRootOutsideTheBoundsIsRefusedBeforeTheDatabase() {
    assertThrows(IllegalArgumentException.class, () -> new Root(new byte[0], 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Root(new byte[SharedDctRoots.MAX_ROOT_BYTES + 1], 1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> root("zero", 0));
    assertTrue(e.getMessage().contains("below 1"), e.getMessage());
  }
}
