package io.portcullis.core.notation;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * A time the verifier can rely on: from a verified RFC 3161 countersignature or from a signing
 * authority's signed claim. {@code lower}..{@code upper} is the range of <a
 * href="https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2">RFC 3161 section 2.4.2</a> (genTime ±
 * accuracy) that the signing chain must be valid across.
 *
 * @param tsaCertificate the certificate of the time-stamping authority, or null for a signing
 *     authority's time
 */
public record AuthenticTimestamp(Instant time, Duration accuracy, X509Certificate tsaCertificate) {

  public Instant lower() {
    return time.minus(accuracy);
  }

  public Instant upper() {
    return time.plus(accuracy);
  }
}
