package io.portcullis.gateway.state;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.core.oci.Tag;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * Tag pins shared by every replica ({@code tags.pin} of the trust policy), the shared counterpart
 * of the file-backed {@code enforce.PinStore}: {@code (upstream, repository, tag)} to a digest.
 *
 * <ul>
 *   <li>{@code first-seen}: {@link #firstSeen} is an insert-if-absent that returns the pin that
 *       won, so replicas racing on a new tag all serve the same digest.
 *   <li>{@code signed}: the pin follows the tag to each newly approved digest ({@code PinStore}
 *       records every satisfying digest it serves, and serves the last one when the tag moves to
 *       one that fails). Shared, "last" must survive replicas finishing out of order: a pin carries
 *       when the approved manifest was read from the upstream ({@code seenAt}), and {@link #signed}
 *       moves it only to a digest seen later. A slow replica that approved an older digest cannot
 *       move the pin back.
 * </ul>
 *
 * <p>{@code seenAt} comes from the replica's clock: replicas are expected to run NTP. A skew only
 * matters for two approvals of the same tag closer together than the skew, and then it picks
 * between two digests that were both approved.
 */
public final class TagPins {
  /**
   * How many tags are pinned at most, as the file-backed {@code PinStore}: anyone who may pull can
   * make the gateway pin every tag an upstream has.
   */
  public static final int MAX_PINS = 100_000;

  private final StateDatabase db;
  private final int maxPins;

  TagPins(StateDatabase db) {
    this(db, MAX_PINS);
  }

  private TagPins(StateDatabase db, int maxPins) {
    this.db = db;
    this.maxPins = maxPins;
  }

  /** These pins with another bound, for tests. */
  TagPins withCapacity(int max) {
    return new TagPins(db, max);
  }

  /** How many tags may be pinned at most. */
  public int capacity() {
    return maxPins;
  }

  /**
   * The table holds {@link #capacity()} pins and this tag is not one of them: nothing was recorded.
   * Concurrent first pins on several replicas may pass the bound by a few: still bounded.
   */
  public static final class FullException extends RuntimeException {
    FullException(Key key, int max) {
      super(
          "the shared pins are full ("
              + max
              + " tags): "
              + key.repository()
              + ":"
              + key.tag()
              + " is not pinned",
          null,
          false,
          false);
    }
  }

  /** A validated pin key: the upstream's name, the canonical repository, the tag. */
  public record Key(String upstream, String repository, String tag) {
    public Key {
      if (upstream == null || !upstream.matches("[a-z0-9][a-z0-9-]{0,62}")) {
        throw new IllegalArgumentException("upstream '" + upstream + "' is not an upstream name");
      }
      RepositoryName.of(repository);
      Tag.of(tag);
    }

    Tuple tuple() {
      return Tuple.of(upstream, repository, tag);
    }
  }

  /** The digest pinned for the tag, if any. */
  public Future<Optional<Digest>> lookup(Key key) {
    return db.query(
            "SELECT digest FROM tag_pins WHERE upstream = $1 AND repository = $2 AND tag = $3",
            key.tuple())
        .map(TagPins::digest);
  }

  /**
   * Pins the tag to {@code digest} unless it is pinned already; the digest it is pinned to
   * afterwards, which every concurrent caller agrees on. Fails with {@link FullException} when the
   * tag is not pinned and the table is full.
   */
  public Future<Digest> firstSeen(Key key, Digest digest) {
    Objects.requireNonNull(digest, "digest");
    // DO UPDATE (to the same value) rather than DO NOTHING: the row is returned, and locked, even
    // when a concurrent insert won after this statement's snapshot was taken. The bound's count is
    // evaluated only for a tag not pinned yet (OR stops at the first true operand).
    return db.query(
            """
            INSERT INTO tag_pins (upstream, repository, tag, digest, seen_at)
            SELECT $1, $2, $3, $4, now()
            WHERE EXISTS (SELECT 1 FROM tag_pins
                WHERE upstream = $1 AND repository = $2 AND tag = $3)
              OR (SELECT count(*) FROM tag_pins) < $5
            ON CONFLICT (upstream, repository, tag) DO UPDATE SET digest = tag_pins.digest
            RETURNING digest""",
            key.tuple().addString(digest.toString()).addInteger(maxPins))
        .compose(rows -> heldOrFull(key, digest(rows)));
  }

  /**
   * Moves the pin to {@code digest}, approved from a manifest read from the upstream at {@code
   * seenAt}, unless the pin holds a digest seen later; the digest pinned afterwards. Fails with
   * {@link FullException} when the tag is not pinned and the table is full.
   */
  public Future<Digest> signed(Key key, Digest digest, Instant seenAt) {
    Objects.requireNonNull(digest, "digest");
    OffsetDateTime seen = OffsetDateTime.ofInstant(seenAt, ZoneOffset.UTC);
    return db.query(
            """
            INSERT INTO tag_pins (upstream, repository, tag, digest, seen_at)
            SELECT $1, $2, $3, $4, $5
            WHERE EXISTS (SELECT 1 FROM tag_pins
                WHERE upstream = $1 AND repository = $2 AND tag = $3)
              OR (SELECT count(*) FROM tag_pins) < $6
            ON CONFLICT (upstream, repository, tag) DO UPDATE
              SET digest = EXCLUDED.digest, seen_at = EXCLUDED.seen_at, updated_at = now()
              WHERE tag_pins.seen_at < EXCLUDED.seen_at
            RETURNING digest""",
            key.tuple().addString(digest.toString()).addOffsetDateTime(seen).addInteger(maxPins))
        // not moved: a later approval holds the pin (answer with it), or the table is full
        .compose(rows -> heldOrFull(key, digest(rows)));
  }

  /**
   * {@code written}, else the pin that holds, else (the tag is not pinned) {@link FullException}.
   */
  private Future<Digest> heldOrFull(Key key, Optional<Digest> written) {
    if (written.isPresent()) {
      return Future.succeededFuture(written.get());
    }
    return lookup(key)
        .compose(
            held ->
                held.isPresent()
                    ? Future.succeededFuture(held.get())
                    : Future.failedFuture(new FullException(key, maxPins)));
  }

  private static Optional<Digest> digest(RowSet<Row> rows) {
    return rows.size() == 0
        ? Optional.empty()
        : Optional.of(Digest.parse(rows.iterator().next().getString("digest")));
  }
}
