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
  private final StateDatabase db;

  TagPins(StateDatabase db) {
    this.db = db;
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
   * afterwards, which every concurrent caller agrees on.
   */
  public Future<Digest> firstSeen(Key key, Digest digest) {
    Objects.requireNonNull(digest, "digest");
    // DO UPDATE (to the same value) rather than DO NOTHING: the row is returned, and locked, even
    // when a concurrent insert won after this statement's snapshot was taken
    return db.query(
            """
            INSERT INTO tag_pins (upstream, repository, tag, digest, seen_at)
            VALUES ($1, $2, $3, $4, now())
            ON CONFLICT (upstream, repository, tag) DO UPDATE SET digest = tag_pins.digest
            RETURNING digest""",
            key.tuple().addString(digest.toString()))
        .map(rows -> digest(rows).orElseThrow());
  }

  /**
   * Moves the pin to {@code digest}, approved from a manifest read from the upstream at {@code
   * seenAt}, unless the pin holds a digest seen later; the digest pinned afterwards.
   */
  public Future<Digest> signed(Key key, Digest digest, Instant seenAt) {
    Objects.requireNonNull(digest, "digest");
    OffsetDateTime seen = OffsetDateTime.ofInstant(seenAt, ZoneOffset.UTC);
    return db.query(
            """
            INSERT INTO tag_pins (upstream, repository, tag, digest, seen_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (upstream, repository, tag) DO UPDATE
              SET digest = EXCLUDED.digest, seen_at = EXCLUDED.seen_at, updated_at = now()
              WHERE tag_pins.seen_at < EXCLUDED.seen_at
            RETURNING digest""",
            key.tuple().addString(digest.toString()).addOffsetDateTime(seen))
        .compose(
            rows -> {
              Optional<Digest> moved = digest(rows);
              // not moved: a later approval holds the pin; answer with it
              return moved.isPresent()
                  ? Future.succeededFuture(moved.get())
                  : lookup(key).map(Optional::orElseThrow);
            });
  }

  private static Optional<Digest> digest(RowSet<Row> rows) {
    return rows.size() == 0
        ? Optional.empty()
        : Optional.of(Digest.parse(rows.iterator().next().getString("digest")));
  }
}
