package io.portcullis.gateway.state;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What approved manifests let through, shared by every replica: the shared half of {@code
 * enforce.Approvals}, per (policy revision, repository, digest). Behind a load balancer that hashes
 * URIs, an image's manifest and its blobs land on different replicas; the replica that approves the
 * manifest records its grants here before the manifest is answered, and a replica asked for a blob
 * it knows nothing of looks here.
 *
 * <p>Each row lasts as long as the approval ({@code Approvals.LIFETIME} from when it was written,
 * timed by the database's clock) and is deleted by {@link #purgeExpired()} after that. A batch is
 * at most {@link #MAX_BATCH} rows (one manifest's listing), and one statement.
 */
public final class SharedApprovals {
  /** The most rows one call records: {@code Approvals.MAX_LISTED}, one manifest's listing. */
  public static final int MAX_BATCH = 1_000;

  /** What an approval allows, as {@code enforce.Approvals.Grant} does. */
  public enum Kind {
    /** A platform manifest listed by an approved index ({@code detail}: the index's digest). */
    PLATFORM,
    /** The config or a layer of an approved image ({@code detail}: the image's digest). */
    CONTENT,
    /** A trust artifact's layer ({@code detail}: its media type, {@code size}: its size). */
    ARTIFACT;

    String column() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One digest's approval. */
  public record Approval(String digest, Kind kind, String detail, long size) {
    public Approval {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** An approval found, and how long it still stands. */
  public record Found(Approval approval, Duration remaining) {}

  private final StateDatabase db;

  SharedApprovals(StateDatabase db) {
    this.db = db;
  }

  /**
   * Records {@code approvals} of {@code repository} under {@code revision}, each standing for
   * {@code lifetime} from now; done once the rows are committed. As in {@code enforce.Approvals},
   * content or a platform is never downgraded to an artifact (unless it has expired).
   */
  public Future<Void> record(
      String revision, String repository, List<Approval> approvals, Duration lifetime) {
    if (approvals.size() > MAX_BATCH) {
      return Future.failedFuture(
          new IllegalArgumentException(
              approvals.size() + " approvals in one batch, more than " + MAX_BATCH));
    }
    if (approvals.isEmpty()) {
      return Future.succeededFuture();
    }
    // One row per digest: ON CONFLICT cannot touch a row twice in one statement, and a manifest
    // may list a layer twice.
    Map<String, Approval> rows = new LinkedHashMap<>();
    for (Approval a : approvals) {
      rows.merge(a.digest(), a, (old, now) -> now.kind() == Kind.ARTIFACT ? old : now);
    }
    String[] digests = new String[rows.size()];
    String[] kinds = new String[rows.size()];
    String[] details = new String[rows.size()];
    Long[] sizes = new Long[rows.size()];
    int i = 0;
    for (Approval a : rows.values()) {
      digests[i] = a.digest();
      kinds[i] = a.kind().column();
      details[i] = a.detail();
      sizes[i] = a.size();
      i++;
    }
    return db.query(
            """
            INSERT INTO approvals AS a
              (revision, repository, digest, kind, detail, size, expires_at)
            SELECT $1, $2, d, k, t, s, now() + $3 * interval '1 millisecond'
            FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[]) AS u(d, k, t, s)
            ON CONFLICT (revision, repository, digest) DO UPDATE
              SET kind = EXCLUDED.kind, detail = EXCLUDED.detail, size = EXCLUDED.size,
                  expires_at = EXCLUDED.expires_at
              WHERE EXCLUDED.kind <> 'artifact' OR a.kind = 'artifact' OR a.expires_at <= now()""",
            Tuple.of(revision, repository, lifetime.toMillis())
                .addValue(digests)
                .addValue(kinds)
                .addValue(details)
                .addValue(sizes))
        .mapEmpty();
  }

  /** The approval of {@code digest} in {@code repository} under {@code revision}, if it stands. */
  public Future<Optional<Found>> lookup(String revision, String repository, String digest) {
    return db.query(
            """
            SELECT kind, detail, size,
              (extract(epoch FROM (expires_at - now())) * 1000)::bigint AS remaining_ms
            FROM approvals
            WHERE revision = $1 AND repository = $2 AND digest = $3 AND expires_at > now()""",
            Tuple.of(revision, repository, digest))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(found(digest, rows.iterator().next())));
  }

  /** Deletes the approvals that ended; how many. */
  public Future<Integer> purgeExpired() {
    return db.query("DELETE FROM approvals WHERE expires_at <= now()", Tuple.tuple())
        .map(rows -> rows.rowCount());
  }

  private static Found found(String digest, Row row) {
    Kind kind = Kind.valueOf(row.getString("kind").toUpperCase(Locale.ROOT));
    return new Found(
        new Approval(digest, kind, row.getString("detail"), row.getLong("size")),
        Duration.ofMillis(Math.max(1, row.getLong("remaining_ms"))));
  }
}
