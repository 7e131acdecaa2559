package io.portcullis.core.dct;

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
}
