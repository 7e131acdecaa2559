package io.portcullis.core.sigstore;

import java.time.Instant;

/**
 * Verifies an <a href="https://www.rfc-editor.org/rfc/rfc3161">RFC 3161</a> timestamp of a bundle's
 * signature against the trusted root's timestamp authorities: the token's message imprint is the
 * hash of {@code signature}, its signer chains to an authority valid at the stamped time.
 */
public final class TimestampVerifier {
  private TimestampVerifier() {}

  /** The verified time stamped over {@code signature}. */
  public static Instant verify(byte[] timestamp, byte[] signature, TrustedRoot root)
      throws SigstoreVerificationException {
    throw new UnsupportedOperationException("issue 13: TimestampVerifier.verify");
  }
}
