package io.portcullis.core.dct;

import java.util.Objects;
import java.util.Optional;

/** How the root of a GUN's trust data comes to be trusted. */
public sealed interface RootTrust {
  /**
   * The root must be signed by a threshold of the pinned keys: the current {@code root.json}, or
   * else {@code 1.root.json} with every later root chained from it.
   */
  record Pinned(RootKeyPins pins) implements RootTrust {}

  /**
   * Trust on first use, as {@code docker trust} does: the first root seen (the server's current
   * {@code root.json}, which must sign itself) is recorded in the store, and every later root must
   * chain from the recorded one.
   */
  record FirstUse() implements RootTrust {}

  /**
   * Trust on first use recorded somewhere other than the store, such as the state a fleet of
   * gateways shares: the walk starts from {@code root} (the recorded root) or, when none is
   * recorded yet, from the server's current {@code root.json}, which must sign itself. The store's
   * own {@code root.json} is set to that start before the walk, so a root recorded only in the
   * store never counts, and nothing is recorded: the caller records {@link TrustData#root()} where
   * it keeps its roots, and verifies again from whatever root was recorded there instead.
   */
  record Recorded(Optional<byte[]> root) implements RootTrust {
    public Recorded {
      Objects.requireNonNull(root, "root");
    }
  }
}
