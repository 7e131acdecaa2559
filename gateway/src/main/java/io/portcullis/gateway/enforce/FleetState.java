package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the replicas of one gateway share for enforcement: tag pins and approvals. The gateway
 * implements it over PostgreSQL ({@code state.TagPins}, {@code state.SharedApprovals}; see
 * docs/state.md); it is defined here so that enforcement depends on no layer above it. A failed
 * future means the shared state could not answer: callers fail closed.
 */
public interface FleetState {
  /** A pin's key: the upstream's configured name, the canonical repository, the tag. */
  record PinKey(String upstream, String repository, String tag) {}

  /** The digest the tag is pinned to, if any. */
  Future<Optional<Digest>> pin(PinKey key);

  /**
   * Pins the tag to {@code digest} unless it is pinned already (every concurrent caller is told the
   * same winner); the pin that holds, or empty when the table is full and the tag not pinned.
   */
  Future<Optional<Digest>> pinFirstSeen(PinKey key, Digest digest);

  /**
   * Moves the pin to {@code digest}, read from the upstream at {@code seenAt}, unless it holds a
   * digest seen later; the pin that holds, or empty when the table is full and the tag not pinned.
   */
  Future<Optional<Digest>> pinSigned(PinKey key, Digest digest, Instant seenAt);

  /** How many tags may be pinned at most. */
  int pinCapacity();

  /** What an approval allows, as {@link Approvals.Grant} does. */
  enum Kind {
    PLATFORM,
    CONTENT,
    ARTIFACT
  }

  /**
   * One digest's approval: {@code detail} is the approving index or image's digest, or the trust
   * layer's media type; {@code size} the trust layer's declared size (0 otherwise).
   */
  record Approval(Digest digest, Kind kind, String detail, long size) {}

  /** An approval found, and how long it still stands. */
  record Found(Approval approval, Duration remaining) {}

  /** Records approvals (at most one manifest's listing), committed when the future succeeds. */
  Future<Void> approve(
      String revision, String repository, List<Approval> approvals, Duration lifetime);

  /** The approval of {@code digest} under {@code revision}, if one stands. */
  Future<Optional<Found>> approval(String revision, String repository, Digest digest);

  /** Deletes the approvals that ended; how many. */
  Future<Integer> purgeApprovals();
}
