package io.portcullis.signer;

/**
 * The exit codes of {@code portcullis-signer}. "Verification failed" and "could not verify" are
 * kept apart, as notation does, so a pipeline can tell a bad image from a flaky network; both fail.
 */
public final class ExitCodes {
  private ExitCodes() {}

  public static final int OK = 0;

  /** A signature or attestation was checked and did not pass. */
  public static final int VERIFICATION_FAILED = 1;

  /** Bad arguments, missing files, no way to ask for a password. */
  public static final int USAGE = 2;

  /**
   * Nothing could be concluded: registry unreachable or refusing, image missing, internal error.
   */
  public static final int COULD_NOT_VERIFY = 3;
}
