package io.portcullis.gateway.state;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The Docker Content Trust roots the fleet trusted on first use (issue #16), one per trust store
 * and GUN, so that every replica starts a GUN's verification from the same root: a replica that
 * first meets a GUN after its Notary server's root was replaced must refuse the replacement as the
 * replica that recorded the old root does, not trust it on first use of its own.
 *
 * <ul>
 *   <li>{@link #recordFirstUse} is an insert-if-absent returning the root that won, so replicas
 *       racing on a new GUN all agree on one root.
 *   <li>{@link #advance} moves a record to a later root that the caller verified to chain from the
 *       recorded one (TUF root rotation): only from the root the caller started from, and only to a
 *       higher version. A replica that verified from an older record, or a root of a lower version,
 *       never moves the record; it is told the record that holds and verifies again from it.
 * </ul>
 *
 * <p>The table is bounded by the GUNs the configured Notary servers have trust data for: a GUN the
 * server does not know is refused before anything is recorded.
 */
public final class SharedDctRoots {
  /** The largest root recorded: {@code TufLimits.DEFAULT.rootBytes()}, and the table's CHECK. */
  public static final int MAX_ROOT_BYTES = 64 * 1024;

  private final StateDatabase db;

  SharedDctRoots(StateDatabase db) {
    this.db = db;
  }

  /**
   * A recorded root: the exact bytes of its {@code root.json} and its TUF version.
   *
   * @param raw the root's bytes, never changed once made
   */
  public record Root(byte[] raw, long version) {
    public Root {
      Objects.requireNonNull(raw, "raw");
      if (raw.length == 0 || raw.length > MAX_ROOT_BYTES) {
        throw new IllegalArgumentException(
            "a root of " + raw.length + " bytes (at most " + MAX_ROOT_BYTES + ")");
      }
      if (version < 1) {
        throw new IllegalArgumentException("root version " + version + " is below 1");
      }
    }

    /** The same root: same bytes (and so the same version). */
    public boolean sameAs(Root other) {
      return version == other.version && Arrays.equals(raw, other.raw);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Root r && sameAs(r);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(raw) + Long.hashCode(version);
    }

    @Override
    public String toString() {
      return "Root[version " + version + ", " + raw.length + " bytes]";
    }
  }

  /** The root recorded for {@code gun} of {@code trustStore}, if any. */
  public Future<Optional<Root>> lookup(String trustStore, String gun) {
    return db.query(
            "SELECT root, version FROM dct_roots WHERE trust_store = $1 AND gun = $2",
            Tuple.of(trustStore, gun))
        .map(SharedDctRoots::root);
  }

  /**
   * Records {@code root} unless a root is recorded for the GUN already; the root recorded
   * afterwards, which every concurrent caller agrees on.
   */
  public Future<Root> recordFirstUse(String trustStore, String gun, Root root) {
    // DO UPDATE (to the same value) rather than DO NOTHING: the winner is returned even when it
    // was inserted after this statement's snapshot was taken
    return db.query(
            """
            INSERT INTO dct_roots (trust_store, gun, root, version) VALUES ($1, $2, $3, $4)
            ON CONFLICT (trust_store, gun) DO UPDATE SET gun = dct_roots.gun
            RETURNING root, version""",
            Tuple.of(trustStore, gun, Buffer.buffer(root.raw()), root.version()))
        .map(rows -> root(rows).orElseThrow());
  }

  /**
   * Moves the record from {@code from} to {@code to}, a later root verified to chain from {@code
   * from}; the root recorded afterwards. That is {@code to} when the record still held {@code from}
   * and {@code to} is newer; else the record as it stands (moved on by another replica, or {@code
   * to} not newer), for the caller to verify from. A record deleted meanwhile (an operator
   * resetting the GUN's trust) is made again from {@code to}, as on first use.
   */
  public Future<Root> advance(String trustStore, String gun, Root from, Root to) {
    return db.query(
            """
            UPDATE dct_roots SET root = $4, version = $5, updated_at = now()
            WHERE trust_store = $1 AND gun = $2 AND root = $3 AND version < $5
            RETURNING root, version""",
            Tuple.of(
                trustStore, gun, Buffer.buffer(from.raw()), Buffer.buffer(to.raw()), to.version()))
        .compose(
            rows -> {
              Optional<Root> moved = root(rows);
              if (moved.isPresent()) {
                return Future.succeededFuture(moved.get());
              }
              return lookup(trustStore, gun)
                  .compose(
                      held ->
                          held.isPresent()
                              ? Future.succeededFuture(held.get())
                              : recordFirstUse(trustStore, gun, to));
            });
  }

  private static Optional<Root> root(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row row = rows.iterator().next();
    return Optional.of(new Root(row.getBuffer("root").getBytes(), row.getLong("version")));
  }
}
