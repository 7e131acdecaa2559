package io.portcullis.gateway;

import io.portcullis.gateway.enforce.FleetDctRoots;
import io.portcullis.gateway.state.SharedDctRoots;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Enforcement's fleet-wide DCT first-use roots ({@link FleetDctRoots}) over the shared state in
 * PostgreSQL: only the types differ, so that neither package depends on the other.
 */
final class PostgresDctRoots implements FleetDctRoots {
  private final SharedDctRoots roots;

  PostgresDctRoots(SharedDctRoots roots) {
    this.roots = roots;
  }

  @Override
  public Future<Optional<Root>> lookup(String trustStore, String gun) {
    return roots.lookup(trustStore, gun).map(found -> found.map(PostgresDctRoots::root));
  }

  @Override
  public Future<Root> recordFirstUse(String trustStore, String gun, Root root) {
    try {
      return roots.recordFirstUse(trustStore, gun, shared(root)).map(PostgresDctRoots::root);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Root> advance(String trustStore, String gun, Root from, Root to) {
    try {
      return roots.advance(trustStore, gun, shared(from), shared(to)).map(PostgresDctRoots::root);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }

  private static SharedDctRoots.Root shared(Root root) {
    return new SharedDctRoots.Root(root.raw(), root.version());
  }

  private static Root root(SharedDctRoots.Root root) {
    return new Root(root.raw(), root.version());
  }
}
