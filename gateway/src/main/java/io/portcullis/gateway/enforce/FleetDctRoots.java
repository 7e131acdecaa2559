package io.portcullis.gateway.enforce;

import io.vertx.core.Future;
import java.util.Arrays;
import java.util.Optional;

/**
 * Where the replicas of one gateway record the Docker Content Trust roots they trusted on first
 * use, one per trust store and GUN, so that all of them start a GUN's verification from the same
 * root. The gateway implements it over PostgreSQL ({@code state.SharedDctRoots}; see
 * docs/state.md); it is defined here so that enforcement depends on no layer above it. A failed
 * future means the shared state could not answer.
 */
public interface FleetDctRoots {
  /** A root: the exact bytes of its {@code root.json} and its TUF version. */
  record Root(byte[] raw, long version) {
    /** The same root (records compare arrays by identity). */
    public boolean sameAs(Root other) {
      return version == other.version && Arrays.equals(raw, other.raw);
    }
  }

  /** The root recorded for {@code gun} of {@code trustStore}, if any. */
  Future<Optional<Root>> lookup(String trustStore, String gun);

  /**
   * Records {@code root} unless one is recorded already; the root recorded afterwards, the same for
   * every concurrent caller.
   */
  Future<Root> recordFirstUse(String trustStore, String gun, Root root);

  /**
   * Moves the record from {@code from} to {@code to}, a newer root verified to chain from it; the
   * root recorded afterwards, which is not {@code to} when the record had moved on meanwhile.
   */
  Future<Root> advance(String trustStore, String gun, Root from, Root to);
}
