package io.portcullis.core.notation;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The signed attributes of a Notary Project envelope, independent of JWS or COSE encoding: see <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#signed-attributes">signed
 * attributes</a>.
 *
 * <p>{@code critical} lists the names the envelope marked critical; {@code verificationPlugin} is
 * the Notation plugin the signer demands, if any. The codecs only decode; what is acceptable is
 * decided by {@link NotationVerifier} so that each problem is reported under its check.
 *
 * @param signingTime the signer's own claim ({@code notary.x509}); may be null for other schemes
 * @param authenticSigningTime the signing authority's time ({@code notary.x509.signingAuthority})
 * @param expiry the "best by use" time, or null
 */
public record SignedAttributes(
    SignatureAlgorithm algorithm,
    String contentType,
    SigningScheme signingScheme,
    Instant signingTime,
    Instant authenticSigningTime,
    Instant expiry,
    List<String> critical,
    String verificationPlugin,
    String verificationPluginMinVersion) {

  /** The Notary Project payload media type, the only {@code cty} supported. */
  public static final String PAYLOAD_CONTENT_TYPE = "application/vnd.cncf.notary.payload.v1+json";

  static final String SIGNING_SCHEME = "io.cncf.notary.signingScheme";
  static final String SIGNING_TIME = "io.cncf.notary.signingTime";
  static final String AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
  static final String EXPIRY = "io.cncf.notary.expiry";
  static final String VERIFICATION_PLUGIN = "io.cncf.notary.verificationPlugin";
  static final String VERIFICATION_PLUGIN_MIN_VERSION =
      "io.cncf.notary.verificationPluginMinVersion";

  /** Critical headers this implementation understands and processes. */
  static final Set<String> UNDERSTOOD_CRITICAL =
      Set.of(SIGNING_SCHEME, AUTHENTIC_SIGNING_TIME, EXPIRY);

  public SignedAttributes {
    critical = critical == null ? List.of() : List.copyOf(critical);
  }

  /** Critical names this implementation does not understand (plugin headers excluded). */
  public List<String> unknownCritical() {
    return critical.stream()
        .filter(c -> !UNDERSTOOD_CRITICAL.contains(c))
        .filter(c -> !c.equals(VERIFICATION_PLUGIN) && !c.equals(VERIFICATION_PLUGIN_MIN_VERSION))
        .toList();
  }

  /**
   * The rules every Notary envelope must meet; null when met, else the reason. The signing scheme
   * header must be critical, as must expiry and the authentic signing time when present, and each
   * scheme carries its own time.
   */
  String violation() {
    if (!PAYLOAD_CONTENT_TYPE.equals(contentType)) {
      return "unsupported payload content type '" + contentType + "'";
    }
    if (!critical.contains(SIGNING_SCHEME)) {
      return "header " + SIGNING_SCHEME + " must be marked critical";
    }
    if (expiry != null && !critical.contains(EXPIRY)) {
      return "header " + EXPIRY + " must be marked critical";
    }
    if (authenticSigningTime != null && !critical.contains(AUTHENTIC_SIGNING_TIME)) {
      return "header " + AUTHENTIC_SIGNING_TIME + " must be marked critical";
    }
    if (verificationPlugin != null && !critical.contains(VERIFICATION_PLUGIN)) {
      return "header " + VERIFICATION_PLUGIN + " must be marked critical";
    }
    return switch (signingScheme) {
      case X509 ->
          signingTime == null
              ? "scheme notary.x509 requires " + SIGNING_TIME
              : authenticSigningTime != null
                  ? "scheme notary.x509 must not carry " + AUTHENTIC_SIGNING_TIME
                  : null;
      case X509_SIGNING_AUTHORITY ->
          authenticSigningTime == null
              ? "scheme notary.x509.signingAuthority requires " + AUTHENTIC_SIGNING_TIME
              : null;
    };
  }
}
