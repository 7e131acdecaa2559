package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Digest;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the enforcer keeps the pins of {@code tags.pin: first-seen} and {@code signed}: this
 * gateway's {@code pins.json} ({@link LocalPins}), or the database every replica shares ({@link
 * SharedPins}). A failed future means the pin could not be known or taken (the shared state is
 * unavailable): the caller fails closed.
 */
interface Pins {
  /**
   * The digest {@code repository:tag} of upstream {@code upstream} (its configured name) is pinned
   * to, if any.
   */
  Future<Optional<Digest>> get(String upstream, String repository, String tag);

  /**
   * Pins {@code repository:tag} to {@code digest} unless it is pinned already, atomically across
   * the gateway; the pin that holds afterwards, or empty when the store is full and nothing was
   * recorded.
   */
  Future<Optional<Digest>> pinFirst(String upstream, String repository, String tag, Digest digest);

  /**
   * Records that {@code digest}, read from the upstream at {@code seenAt}, was approved for the
   * tag: the pin of {@code signed} follows it. Done when recorded; never fails: a pin that cannot
   * be recorded is logged, and only changes which approved digest a later refusal falls back on.
   */
  Future<Void> approved(
      String upstream, String repository, String tag, Digest digest, Instant seenAt);

  /** Whether a tag not pinned yet could be pinned now, as far as is known without asking. */
  boolean hasRoom();

  /** How many tags are pinned at most. */
  int capacity();

  /** Where an operator removes a pin, for messages: "the gateway's pins.json". */
  String where();
}
