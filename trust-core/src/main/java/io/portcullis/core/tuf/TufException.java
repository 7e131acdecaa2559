package io.portcullis.core.tuf;

import java.time.Instant;

/**
 * Why a TUF update or download failed. Each kind is its own subclass so that a caller can tell "the
 * repository could not be reached" ({@link FetchFailed}) from "the repository served something that
 * does not verify" (every other kind), and the message always names the file or role and the values
 * that disagreed.
 */
public abstract sealed class TufException extends Exception {
  private static final long serialVersionUID = 1L;

  TufException(String message) {
    super(message);
  }

  TufException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True for failures of the transport, where trying again later may succeed. */
  public boolean isNetworkFailure() {
    return false;
  }

  /** The repository could not be reached or answered with an unexpected status. */
  public static final class FetchFailed extends TufException {
    private static final long serialVersionUID = 1L;

    public FetchFailed(String message, Throwable cause) {
      super(message, cause);
    }

    public FetchFailed(String message) {
      super(message);
    }

    @Override
    public boolean isNetworkFailure() {
      return true;
    }
  }

  /** A file the workflow needs is not on the repository (HTTP 404), or a target is not listed. */
  public static final class NotFound extends TufException {
    private static final long serialVersionUID = 1L;

    public NotFound(String message) {
      super(message);
    }
  }

  /** A file is larger than its cap, or than the length the trusted metadata gives for it. */
  public static final class TooLarge extends TufException {
    private static final long serialVersionUID = 1L;

    public TooLarge(String message) {
      super(message);
    }
  }

  /** A file's length or hash differs from what the trusted metadata says. */
  public static final class HashMismatch extends TufException {
    private static final long serialVersionUID = 1L;

    public HashMismatch(String message) {
      super(message);
    }
  }

  /** Fewer distinct keys of the role signed than its threshold. */
  public static final class ThresholdNotMet extends TufException {
    private static final long serialVersionUID = 1L;
    private final int verified;
    private final int threshold;

    public ThresholdNotMet(String role, String file, int verified, int threshold) {
      super(
          file
              + " is signed by "
              + verified
              + " valid "
              + role
              + " key(s), threshold "
              + threshold);
      this.verified = verified;
      this.threshold = threshold;
    }

    public int verified() {
      return verified;
    }

    public int threshold() {
      return threshold;
    }
  }

  /** A role's metadata expired before the update started (a freeze attack, or a stale mirror). */
  public static final class Expired extends TufException {
    private static final long serialVersionUID = 1L;
    private final Instant expires;

    public Expired(String file, Instant expires, Instant now) {
      super(file + " expired at " + expires + " (now " + now + ")");
      this.expires = expires;
    }

    public Instant expires() {
      return expires;
    }
  }

  /** A version went backwards against the locally trusted one (a rollback attack). */
  public static final class Rollback extends TufException {
    private static final long serialVersionUID = 1L;

    public Rollback(String message) {
      super(message);
    }
  }

  /** A file's version differs from the one the metadata that lists it names. */
  public static final class VersionMismatch extends TufException {
    private static final long serialVersionUID = 1L;
    private final long expected;
    private final long found;

    public VersionMismatch(String file, long expected, long found) {
      super(file + " has version " + found + ", expected " + expected);
      this.expected = expected;
      this.found = found;
    }

    public long expected() {
      return expected;
    }

    public long found() {
      return found;
    }
  }

  /**
   * The repository's root is not one this client may trust: not signed by a threshold of the pinned
   * root keys, or its root keys are not valid for the repository (Notary's certificates).
   */
  public static final class Untrusted extends TufException {
    private static final long serialVersionUID = 1L;

    public Untrusted(String message) {
      super(message);
    }
  }

  /** Metadata that is not well-formed TUF metadata of the expected role. */
  public static final class Malformed extends TufException {
    private static final long serialVersionUID = 1L;

    public Malformed(String message) {
      super(message);
    }

    public Malformed(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
