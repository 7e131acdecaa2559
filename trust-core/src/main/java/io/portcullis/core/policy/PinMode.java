package io.portcullis.core.policy;

/**
 * How a tag is tied to a digest when the gateway serves it. The policy only declares the mode; the
 * gateway (and the pin store) enforce it.
 */
public enum PinMode {
  /** A tag may only resolve to a digest that satisfies the policy's signature requirements. */
  SIGNED,
  /** A tag must resolve to the digest recorded for it in the policy's lockfile. */
  LOCKFILE,
  /** The first digest seen for a tag is remembered; a later different digest is refused. */
  FIRST_SEEN,
  /** Tags resolve to whatever the upstream says. */
  NONE
}
