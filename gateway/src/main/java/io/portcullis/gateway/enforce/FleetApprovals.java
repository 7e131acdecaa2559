package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.enforce.FleetState.Approval;
import io.portcullis.gateway.enforce.FleetState.Kind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The approvals of every replica, in the shared state ({@link FleetState}): behind a load balancer
 * that hashes URIs, the blobs of an image approved through replica A are asked of replica B. A
 * replica writes what an approved manifest lets through before the manifest is answered (so the
 * client cannot ask B before B can find it), and looks here when asked for a digest it knows
 * nothing of; what it finds is kept in its own {@link Approvals} for the time the approval has
 * left. Rows are per policy revision, as {@link Approvals} keys them: replicas with the same policy
 * files compute the same revision.
 *
 * <p>Ended approvals are deleted every {@link #PURGE_INTERVAL} by every replica (one cheap indexed
 * statement), so the table holds only the approvals made within one {@link Approvals#LIFETIME}.
 */
final class FleetApprovals implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetApprovals.class);

  /** How often ended approvals are deleted. */
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

  private final FleetState table;
  private final Vertx vertx;
  private long timer = -1;

  FleetApprovals(FleetState table, Vertx vertx) {
    this.table = table;
    this.vertx = vertx;
  }

  /** Deletes ended approvals every {@link #PURGE_INTERVAL} until {@link #close()}. */
  synchronized FleetApprovals start() {
    if (timer < 0) {
      timer =
          vertx.setPeriodic(
              PURGE_INTERVAL.toMillis(),
              id ->
                  table
                      .purgeApprovals()
                      .onFailure(
                          err ->
                              LOG.warn("could not purge ended approvals: {}", err.getMessage())));
    }
    return this;
  }

  /** Shares {@code grants} of {@code repository} under {@code revision}; done once committed. */
  Future<Void> share(String revision, String repository, Map<Digest, Approvals.Grant> grants) {
    List<Approval> rows = new ArrayList<>(grants.size());
    grants.forEach((digest, grant) -> rows.add(row(digest, grant)));
    return table.approve(revision, repository, rows, Approvals.LIFETIME);
  }

  /** Another replica's approval of {@code digest}, if one stands, and how long it has left. */
  Future<Optional<Found>> find(String revision, String repository, Digest digest) {
    return table
        .approval(revision, repository, digest)
        .map(
            found ->
                found
                    .filter(f -> f.approval().kind() == Kind.ARTIFACT || isDigest(f.approval()))
                    .map(f -> new Found(grant(f.approval()), f.remaining())));
  }

  /** A platform or content row names a manifest's digest; anything else there grants nothing. */
  private static boolean isDigest(Approval row) {
    return Digest.isDigest(row.detail());
  }

  /** An approval found in the shared state. */
  record Found(Approvals.Grant grant, Duration remaining) {}

  private static Approval row(Digest digest, Approvals.Grant grant) {
    if (grant instanceof Approvals.Platform p) {
      return new Approval(digest, Kind.PLATFORM, p.index(), 0);
    }
    if (grant instanceof Approvals.Content c) {
      return new Approval(digest, Kind.CONTENT, c.approvedBy(), 0);
    }
    Approvals.Artifact a = (Approvals.Artifact) grant;
    return new Approval(digest, Kind.ARTIFACT, a.mediaType(), a.size());
  }

  private static Approvals.Grant grant(Approval row) {
    return switch (row.kind()) {
      case PLATFORM -> new Approvals.Platform(row.detail());
      case CONTENT -> new Approvals.Content(row.detail());
      case ARTIFACT -> new Approvals.Artifact(row.detail(), row.size());
    };
  }

  @Override
  public synchronized void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
