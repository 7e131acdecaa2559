package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.dct.TrustData;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufMetadataStore;
import io.portcullis.gateway.enforce.FleetDctRoots.Root;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker Content Trust on first use for a fleet of replicas: the root of a GUN is the one recorded
 * in the shared state ({@link FleetDctRoots}), never one a replica trusted on its own. Otherwise a
 * replica that first met a GUN after its Notary server's root was replaced would trust the
 * replacement while the replica that recorded the old root refuses it.
 *
 * <ol>
 *   <li>The recorded root is read (asynchronously), and the GUN verified from it on a worker; with
 *       none recorded yet, from the server's current root, which is then recorded. When another
 *       replica recorded a different root meanwhile, the GUN is verified again from that winner,
 *       which must pass or the tag is refused.
 *   <li>A verification that walked a rotation (a newer root signed by the recorded one) moves the
 *       record forward; the record never moves back.
 *   <li>With the shared state down, a GUN whose root this replica holds (from an earlier
 *       verification, in memory, or its copy in the data directory) keeps verifying from it; a GUN
 *       it never verified is a 503, since a root recorded by this replica alone would split the
 *       fleet.
 * </ol>
 */
final class FleetFirstUse {
  private static final Logger LOG = LoggerFactory.getLogger(FleetFirstUse.class);

  /** This replica's copy of the recorded root, beside the GUN's verified metadata. */
  static final String HELD_ROOT = "fleet-root.json";

  /**
   * Verifications of one request at most: a record that keeps changing under the replica (replicas
   * rotating in lockstep with the server) is a 503 rather than a loop.
   */
  private static final int MAX_ATTEMPTS = 3;

  private final Vertx vertx;
  private final FleetDctRoots roots;

  /** The root recorded for a trust store and GUN as this replica last agreed with the state. */
  private final Cache<Gun, byte[]> held = Caffeine.newBuilder().maximumSize(1000).build();

  private record Gun(String store, String gun) {}

  /** A blocking verification of the GUN from {@code root}, or the server's root when empty. */
  @FunctionalInterface
  interface Verification {
    TrustData verify(Optional<byte[]> root) throws TufException, IOException;
  }

  FleetFirstUse(Vertx vertx, FleetDctRoots roots) {
    this.vertx = vertx;
    this.roots = roots;
  }

  /**
   * The GUN's trust data verified from the fleet's root: see the class comment. {@code directory}
   * holds the GUN's verified metadata, and this replica's copy of the recorded root.
   */
  Future<TrustData> verify(String store, String gun, Path directory, Verification verification) {
    Gun key = new Gun(store, gun);
    return roots
        .lookup(store, gun)
        .transform(
            found ->
                found.succeeded()
                    ? fromRecord(key, directory, verification, found.result(), 1)
                    : fromHeld(key, directory, verification, found.cause()));
  }

  private Future<TrustData> fromRecord(
      Gun key, Path directory, Verification verification, Optional<Root> recorded, int attempt) {
    return vertx
        .executeBlocking(() -> verification.verify(recorded.map(Root::raw)), false)
        .compose(
            data -> {
              Root trusted = new Root(data.root(), data.rootVersion());
              return record(key, recorded, trusted)
                  .compose(
                      winner -> {
                        if (winner.sameAs(trusted)) {
                          return hold(key, directory, trusted).map(data);
                        }
                        if (attempt == MAX_ATTEMPTS) {
                          return Future.failedFuture(
                              unavailable(
                                  "the recorded DCT root of " + name(key) + " keeps changing",
                                  null));
                        }
                        // another replica recorded another root: that one is the fleet's
                        return fromRecord(
                            key, directory, verification, Optional.of(winner), attempt + 1);
                      });
            });
  }

  /** The root recorded once this verification, which ended at {@code trusted}, is recorded. */
  private Future<Root> record(Gun key, Optional<Root> recorded, Root trusted) {
    if (recorded.isEmpty()) {
      // never trusted on this replica's word alone: no record, no answer
      return roots
          .recordFirstUse(key.store(), key.gun(), trusted)
          .recover(
              err ->
                  Future.failedFuture(
                      unavailable(
                          "the first-use DCT root of "
                              + name(key)
                              + " could not be recorded in the shared state",
                          err)));
    }
    if (recorded.get().sameAs(trusted)) {
      return Future.succeededFuture(trusted);
    }
    return roots
        .advance(key.store(), key.gun(), recorded.get(), trusted)
        .recover(
            err -> {
              // verified to chain from the recorded root, so it is trusted: moved on a later visit
              LOG.warn(
                  "could not move the recorded DCT root of {} in trust store {} to version {}: {}",
                  key.gun(),
                  key.store(),
                  trusted.version(),
                  err.getMessage());
              return Future.succeededFuture(trusted);
            });
  }

  /** Keeps {@code root} as the one this replica holds, in memory and in its data directory. */
  private Future<Void> hold(Gun key, Path directory, Root root) {
    byte[] before = held.getIfPresent(key);
    held.put(key, root.raw());
    if (before != null && Arrays.equals(before, root.raw())) {
      return Future.succeededFuture();
    }
    return vertx
        .<Void>executeBlocking(
            () -> {
              new TufMetadataStore(directory).write(HELD_ROOT, root.raw());
              return null;
            },
            false)
        .recover(
            err -> {
              // the copy only serves while the database is down: no reason to refuse this pull
              LOG.warn(
                  "could not keep a copy of the DCT root in {}: {}", directory, err.toString());
              return Future.succeededFuture();
            });
  }

  /** The shared state could not answer: the root this replica holds, else a 503. */
  private Future<TrustData> fromHeld(
      Gun key, Path directory, Verification verification, Throwable cause) {
    byte[] inMemory = held.getIfPresent(key);
    return vertx.executeBlocking(
        () -> {
          Optional<byte[]> root =
              inMemory != null
                  ? Optional.of(inMemory)
                  : new TufMetadataStore(directory).read(HELD_ROOT);
          if (root.isEmpty()) {
            throw unavailable(
                "the shared state (PostgreSQL) is unavailable and the DCT root of "
                    + name(key)
                    + " is not known to this replica",
                cause);
          }
          return verification.verify(root);
        },
        false);
  }

  private static String name(Gun key) {
    return key.gun() + " in trust store '" + key.store() + "'";
  }

  private static OciException unavailable(String why, Throwable cause) {
    return OciException.of(
        OciErrorCode.UNAVAILABLE,
        "could not verify: "
            + why
            + (cause == null ? "" : " (" + cause.getMessage() + ")")
            + "; refusing until it can");
  }
}
