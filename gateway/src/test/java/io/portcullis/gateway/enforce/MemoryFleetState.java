package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The shared pins and approvals of a fleet, in memory, for unit tests: it counts calls and writes,
 * and fails every call while {@link #down}, as the shared state does when PostgreSQL is stopped.
 * Approvals do not expire here.
 */
final class MemoryFleetState implements FleetState {
  final Map<PinKey, Digest> pins = new HashMap<>();
  final Map<String, Approval> approvals = new HashMap<>();
  int calls;
  int writes;
  boolean down;
  int capacity = 10;

  private <T> Future<T> call(Supplier<T> work) {
    calls++;
    return down
        ? Future.failedFuture(new IllegalStateException("shared state down"))
        : Future.succeededFuture(work.get());
  }

  @Override
  public Future<Optional<Digest>> pin(PinKey key) {
    return call(() -> Optional.ofNullable(pins.get(key)));
  }

  @Override
  public Future<Optional<Digest>> pinFirstSeen(PinKey key, Digest digest) {
    return call(
        () -> {
          writes++;
          if (!pins.containsKey(key) && pins.size() >= capacity) {
            return Optional.empty();
          }
          return Optional.of(pins.computeIfAbsent(key, k -> digest));
        });
  }

  @Override
  public Future<Optional<Digest>> pinSigned(PinKey key, Digest digest, Instant seenAt) {
    return call(
        () -> {
          writes++;
          pins.put(key, digest);
          return Optional.of(digest);
        });
  }

  @Override
  public int pinCapacity() {
    return capacity;
  }

  @Override
  public Future<Void> approve(
      String revision, String repository, List<Approval> rows, Duration lifetime) {
    return call(
        () -> {
          writes++;
          for (Approval a : rows) {
            approvals.merge(
                revision + "|" + repository + "@" + a.digest(),
                a,
                (old, now) ->
                    now.kind() == Kind.ARTIFACT && old.kind() != Kind.ARTIFACT ? old : now);
          }
          return null;
        });
  }

  @Override
  public Future<Optional<Found>> approval(String revision, String repository, Digest digest) {
    return call(
        () ->
            Optional.ofNullable(approvals.get(revision + "|" + repository + "@" + digest))
                .map(a -> new Found(a, Duration.ofMinutes(20))));
  }

  @Override
  public Future<Integer> purgeApprovals() {
    return call(() -> 0);
  }
}
