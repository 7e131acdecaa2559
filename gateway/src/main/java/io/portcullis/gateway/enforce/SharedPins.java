package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.oci.Digest;
import io.portcullis.gateway.state.TagPins;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins shared by every replica, in the database ({@link TagPins}), with a copy in memory of each
 * pin this replica has read or written, so that with the database down the pins already known keep
 * resolving. A pin not known here while the database is down fails (the caller answers 503): a
 * first-seen pin is never taken locally, or two replicas could pin one tag to two digests.
 *
 * <p>A copy younger than {@link #FRESH} is used without asking the database: a first-seen pin only
 * changes when an operator deletes it, and a signed pin only moves forward to another approved
 * digest, so a few seconds' lag costs nothing the policy cares about and saves a round trip per
 * pull. A signed approval whose write fails is kept here as not shared, and written again the next
 * time it is served.
 */
final class SharedPins implements Pins {
  private static final Logger LOG = LoggerFactory.getLogger(SharedPins.class);

  /** How long a pin read from the database is used without reading it again. */
  static final Duration FRESH = Duration.ofSeconds(5);

  /** A pin as this replica knows it: whether the database holds it, and since when we know. */
  private record Known(Digest digest, boolean shared, long readAt) {}

  private final TagPins table;
  private final Cache<TagPins.Key, Known> known;

  SharedPins(TagPins table) {
    this.table = table;
    this.known = Caffeine.newBuilder().maximumSize(table.capacity()).build();
  }

  @Override
  public Future<Optional<Digest>> get(UpstreamRoute route, String repository, String tag) {
    TagPins.Key key = key(route, repository, tag);
    Known local = known.getIfPresent(key);
    if (local != null && local.shared() && System.nanoTime() - local.readAt() < FRESH.toNanos()) {
      return Future.succeededFuture(Optional.of(local.digest()));
    }
    return table
        .lookup(key)
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
              if (local != null) {
                LOG.debug("pin of {}:{} served from memory: {}", repository, tag, err.getMessage());
                return Future.succeededFuture(Optional.of(local.digest()));
              }
              return Future.failedFuture(err);
            });
  }

  @Override
  public Future<Optional<Digest>> pinFirst(
      UpstreamRoute route, String repository, String tag, Digest digest) {
    TagPins.Key key = key(route, repository, tag);
    return table
        .firstSeen(key, digest)
        .map(
            held -> {
              known.put(key, new Known(held, true, System.nanoTime()));
              if (held.equals(digest)) {
                LOG.info("pinned {}:{} to {} (shared)", repository, tag, digest);
              }
              return Optional.of(held);
            })
        .recover(
            err -> {
              if (err instanceof TagPins.FullException) {
                LOG.warn(err.getMessage());
                return Future.succeededFuture(Optional.empty());
              }
              return Future.failedFuture(err);
            });
  }

  @Override
  public Future<Void> approved(
      UpstreamRoute route, String repository, String tag, Digest digest, Instant seenAt) {
    TagPins.Key key = key(route, repository, tag);
    Known local = known.getIfPresent(key);
    if (local != null && local.shared() && local.digest().equals(digest)) {
      return Future.succeededFuture(); // every warm pull of the tag would write otherwise
    }
    return table
        .signed(key, digest, seenAt)
        .onSuccess(held -> known.put(key, new Known(held, true, System.nanoTime())))
        .onFailure(
            err -> {
              if (!(err instanceof TagPins.FullException)) {
                // this replica falls back on it; written again when next served
                known.put(key, new Known(digest, false, System.nanoTime()));
              }
              LOG.warn(
                  "could not record the signed pin {}:{} -> {}: {}",
                  repository,
                  tag,
                  digest,
                  err.getMessage());
            })
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  @Override
  public boolean hasRoom() {
    return true; // the database refuses a new pin when full (TagPins.FullException)
  }

  @Override
  public int capacity() {
    return table.capacity();
  }

  @Override
  public String where() {
    return "table tag_pins of the gateway's shared state";
  }

  private static TagPins.Key key(UpstreamRoute route, String repository, String tag) {
    return new TagPins.Key(route.upstream().config().name(), repository, tag);
  }
}
