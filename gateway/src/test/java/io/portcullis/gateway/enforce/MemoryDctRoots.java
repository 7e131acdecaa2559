package io.portcullis.gateway.enforce;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A fleet's DCT first-use roots in memory, for tests: the rules of {@code state.SharedDctRoots}
 * (insert-if-absent, forward only from the root held), plus faults: every call fails while {@link
 * #down}, {@link #recordFails} fails the first-use insert only, and {@link #otherReplicaFirst} is
 * inserted just before the first-use insert of this one, as if another replica had won the race.
 */
final class MemoryDctRoots implements FleetDctRoots {
  final Map<String, Root> roots = new HashMap<>();
  volatile boolean down;
  volatile boolean recordFails;
  volatile Root otherReplicaFirst;

  private static String key(String store, String gun) {
    return store + " " + gun;
  }

  @Override
  public synchronized Future<Optional<Root>> lookup(String trustStore, String gun) {
    if (down) {
      return Future.failedFuture(new IllegalStateException("shared state down"));
    }
    return Future.succeededFuture(Optional.ofNullable(roots.get(key(trustStore, gun))));
  }

  @Override
  public synchronized Future<Root> recordFirstUse(String trustStore, String gun, Root root) {
    if (down || recordFails) {
      return Future.failedFuture(new IllegalStateException("shared state down"));
    }
    if (otherReplicaFirst != null) {
      roots.putIfAbsent(key(trustStore, gun), otherReplicaFirst);
    }
    return Future.succeededFuture(roots.computeIfAbsent(key(trustStore, gun), k -> root));
  }

  @Override
  public synchronized Future<Root> advance(String trustStore, String gun, Root from, Root to) {
    if (down) {
      return Future.failedFuture(new IllegalStateException("shared state down"));
    }
    Root held = roots.get(key(trustStore, gun));
    if (held != null && held.sameAs(from) && held.version() < to.version()) {
      roots.put(key(trustStore, gun), to);
      return Future.succeededFuture(to);
    }
    return Future.succeededFuture(held == null ? to : held);
  }
}
