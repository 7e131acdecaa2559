package io.portcullis.core.sigstore;

/**
 * What one {@link TrustedRootSource#refresh()} did.
 *
 * @param message what happened, naming the failure when there was one (never a secret)
 * @param root the root in use after the refresh: the new one, or the last verified one
 */
public record TrustedRootRefresh(Outcome outcome, String message, TrustedRoot root) {
  public enum Outcome {
    /** A verified root different from the one in use was obtained and is now in use. */
    UPDATED,
    /** The repository verified and its root is the one already in use. */
    CURRENT,
    /** The repository could not be reached; the last verified root stays in use. */
    UNAVAILABLE,
    /** The repository answered with something that does not verify; the last root stays. */
    REFUSED,
    /** The source is a fixed file or snapshot: there is nothing to refresh. */
    FIXED
  }

  /** True when the root in use is known to be what the repository currently publishes. */
  public boolean verified() {
    return outcome == Outcome.UPDATED || outcome == Outcome.CURRENT;
  }
}
