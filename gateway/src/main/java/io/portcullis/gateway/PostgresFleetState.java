package io.portcullis.gateway;

import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.enforce.FleetState;
import io.portcullis.gateway.state.PostgresState;
import io.portcullis.gateway.state.SharedApprovals;
import io.portcullis.gateway.state.TagPins;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Enforcement's shared pins and approvals ({@link FleetState}) over the shared state in PostgreSQL:
 * only the types differ, so that neither package depends on the other.
 */
final class PostgresFleetState implements FleetState {
  private final PostgresState state;

  PostgresFleetState(PostgresState state) {
    this.state = state;
  }

  @Override
  public Future<Optional<Digest>> pin(PinKey key) {
    return withKey(key, k -> state.pins().lookup(k));
  }

  @Override
  public Future<Optional<Digest>> pinFirstSeen(PinKey key, Digest digest) {
    return withKey(key, k -> orFull(state.pins().firstSeen(k, digest)));
  }

  @Override
  public Future<Optional<Digest>> pinSigned(PinKey key, Digest digest, Instant seenAt) {
    return withKey(key, k -> orFull(state.pins().signed(k, digest, seenAt)));
  }

  @Override
  public int pinCapacity() {
    return state.pins().capacity();
  }

  @Override
  public Future<Void> approve(
      String revision, String repository, List<Approval> approvals, Duration lifetime) {
    List<SharedApprovals.Approval> rows =
        approvals.stream()
            .map(
                a ->
                    new SharedApprovals.Approval(
                        a.digest().toString(),
                        SharedApprovals.Kind.valueOf(a.kind().name()),
                        a.detail(),
                        a.size()))
            .toList();
    return state.approvals().record(revision, repository, rows, lifetime);
  }

  @Override
  public Future<Optional<Found>> approval(String revision, String repository, Digest digest) {
    return state
        .approvals()
        .lookup(revision, repository, digest.toString())
        .map(
            found ->
                found.map(
                    f ->
                        new Found(
                            new Approval(
                                digest,
                                Kind.valueOf(f.approval().kind().name()),
                                f.approval().detail(),
                                f.approval().size()),
                            f.remaining())));
  }

  @Override
  public Future<Integer> purgeApprovals() {
    return state.approvals().purgeExpired();
  }

  /** The call with the validated key; a key that is not one fails the future, not the caller. */
  private static <T> Future<T> withKey(PinKey key, Function<TagPins.Key, Future<T>> call) {
    TagPins.Key k;
    try {
      k = new TagPins.Key(key.upstream(), key.repository(), key.tag());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return call.apply(k);
  }

  /** The pin, or empty when the table refused a new one for room. */
  private static Future<Optional<Digest>> orFull(Future<Digest> pinned) {
    return pinned
        .map(Optional::of)
        .recover(
            err ->
                err instanceof TagPins.FullException
                    ? Future.succeededFuture(Optional.empty())
                    : Future.failedFuture(err));
  }
}
