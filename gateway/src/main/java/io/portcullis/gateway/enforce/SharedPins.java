package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.oci.Digest;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins shared by every replica, in the database ({@link FleetState}), with a copy in memory of each
 * pin this replica has read or written, so that with the database down the pins already known keep
 * resolving. A pin not known here while the database is down fails (the caller answers 503): a
 * first-seen pin is never taken locally, or two replicas could pin one tag to two digests.
 *
 * <p>A copy younger than {@link #FRESH} is used without asking the database: a first-seen pin only
 * changes when an operator deletes it, and a signed pin only moves forward to another approved
 * digest, so a few seconds' lag costs nothing the policy cares about and saves a round trip per
 * pull. For {@link #AFTER_FAILURE} after the database failed, known pins are used without asking
 * it. A signed approval whose write fails is kept here as not shared, and written again the next
 * time it is served.
 */
final class SharedPins implements Pins {
  private static final Logger LOG = LoggerFactory.getLogger(SharedPins.class);

  /** How long a pin read from the database is used without reading it again. */
  static final Duration FRESH = Duration.ofSeconds(5);

  /**
   * After the database failed, how long a known pin is used without asking it: a database that does
   * not answer would otherwise hold every tag request for the call deadline.
   */
  static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

  /** A pin as this replica knows it: whether the database holds it, and since when we know. */
  private record Known(Digest digest, boolean shared, long readAt) {}

  private final FleetState table;
  private final Cache<FleetState.PinKey, Known> known;
  private final long fresh;
  private final long afterFailure;
  private volatile long failedAt;

  SharedPins(FleetState table) {
    this(table, FRESH, AFTER_FAILURE);
  }

  SharedPins(FleetState table, Duration fresh, Duration afterFailure) {
    this.table = table;
    this.known = Caffeine.newBuilder().maximumSize(table.pinCapacity()).build();
    this.fresh = fresh.toNanos();
    this.afterFailure = afterFailure.toNanos();
    this.failedAt = System.nanoTime() - this.afterFailure - 1;
  }

  @Override
  public Future<Optional<Digest>> get(String upstream, String repository, String tag) {
    FleetState.PinKey key = key(upstream, repository, tag);
    Known local = known.getIfPresent(key);
    long now = System.nanoTime();
    if (local != null
        && (local.shared() && now - local.readAt() < fresh || now - failedAt < afterFailure)) {
      return Future.succeededFuture(Optional.of(local.digest()));
    }
    return table
        .pin(key)
        .map(
            found -> {
              if (found.isPresent()) {
                known.put(key, new Known(found.get(), true, System.nanoTime()));
              } else {
                known.invalidate(key); // deleted by an operator: the tag is new again
              }
              return found;
            })
        .recover(
            err -> {
              failedAt = System.nanoTime();
              if (local != null) {
                LOG.debug("pin of {}:{} served from memory: {}", repository, tag, err.getMessage());
                return Future.succeededFuture(Optional.of(local.digest()));
              }
              return Future.failedFuture(err);
            });
  }

  @Override
  public Future<Optional<Digest>> pinFirst(
      String upstream, String repository, String tag, Digest digest) {
    FleetState.PinKey key = key(upstream, repository, tag);
    return table
        .pinFirstSeen(key, digest)
        .map(
            held -> {
              if (held.isEmpty()) {
                LOG.warn("the shared pins are full: {}:{} is not pinned", repository, tag);
                return held;
              }
              known.put(key, new Known(held.get(), true, System.nanoTime()));
              if (held.get().equals(digest)) {
                LOG.info("pinned {}:{} to {} (shared)", repository, tag, digest);
              }
              return held;
            });
  }

  @Override
  public Future<Void> approved(
      String upstream, String repository, String tag, Digest digest, Instant seenAt) {
    FleetState.PinKey key = key(upstream, repository, tag);
    Known local = known.getIfPresent(key);
    if (local != null && local.shared() && local.digest().equals(digest)) {
      return Future.succeededFuture(); // every warm pull of the tag would write otherwise
    }
    return table
        .pinSigned(key, digest, seenAt)
        .onSuccess(
            held -> {
              if (held.isPresent()) {
                known.put(key, new Known(held.get(), true, System.nanoTime()));
              } else {
                LOG.warn("the shared pins are full: {}:{} is not pinned", repository, tag);
              }
            })
        .onFailure(
            err -> {
              // this replica falls back on it; written again when next served
              known.put(key, new Known(digest, false, System.nanoTime()));
              if (local == null || local.shared() || !local.digest().equals(digest)) {
                LOG.warn(
                    "could not record the signed pin {}:{} -> {}: {}",
                    repository,
                    tag,
                    digest,
                    err.getMessage());
              }
            })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  @Override
  public boolean hasRoom() {
    return true; // the database refuses a new pin when full
  }

  @Override
  public int capacity() {
    return table.pinCapacity();
  }

  @Override
  public String where() {
    return "table tag_pins of the gateway's shared state";
  }

  private static FleetState.PinKey key(String upstream, String repository, String tag) {
    return new FleetState.PinKey(upstream, repository, tag);
  }
}
