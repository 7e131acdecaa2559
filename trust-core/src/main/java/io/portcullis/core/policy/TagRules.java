package io.portcullis.core.policy;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code tags} section of a policy.
 *
 * @param allowLatest whether the tag {@code latest} may be pulled at all; a moving tag defeats
 *     review, so production policies usually say no
 * @param pin how tags are tied to digests
 * @param lockfile the lockfile (absolute, resolved against the policy file) when {@code pin} is
 *     {@link PinMode#LOCKFILE}, else empty
 */
public record TagRules(boolean allowLatest, PinMode pin, Optional<Path> lockfile) {
  /** Latest allowed, no pinning: what a policy without a {@code tags} section gets. */
  public static final TagRules DEFAULT = new TagRules(true, PinMode.NONE, Optional.empty());

  public TagRules {
    Objects.requireNonNull(pin, "pin");
    Objects.requireNonNull(lockfile, "lockfile");
    if ((pin == PinMode.LOCKFILE) != lockfile.isPresent()) {
      throw new IllegalArgumentException("a lockfile is given exactly when pin is LOCKFILE");
    }
  }
}
