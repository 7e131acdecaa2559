package io.portcullis.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.OidcConfig;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exchanges a CI job's OIDC ID token (GitHub Actions, GitLab CI) for an identity, by the configured
 * {@code auth.oidc} issuers. A token is accepted when, for an entry whose {@code issuer} equals its
 * {@code iss} exactly: it is a JWS signed with RS256 (RSA of 2048 bits or more) or ES256 (P-256) by
 * the issuer's key named in its {@code kid} ({@link OidcJwks}); its {@code aud} contains the
 * entry's audience; {@code exp} is in the future, {@code nbf} and {@code iat} not, each with {@link
 * #LEEWAY}; it has a {@code sub}; and the entry's rules grant it at least one role ({@link
 * OidcClaimRules}). See <a href="https://www.rfc-editor.org/rfc/rfc7519#section-4.1">RFC 7519
 * section 4.1</a> and <a
 * href="https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation">OIDC Core
 * 3.1.3.7</a>.
 *
 * <p>Every refusal is an empty answer with a log line giving the reason; neither the token nor any
 * part of its signature is ever logged. Keys embedded in the token ({@code jwk}, {@code jku},
 * {@code x5u}, {@code x5c}) are ignored.
 */
public final class OidcExchanger implements IdTokenExchanger {
  /** Clock skew allowed on {@code exp}, {@code nbf} and {@code iat}. */
  public static final Duration LEEWAY = Duration.ofSeconds(60);

  /** ID tokens are about 1 KiB; anything far larger is not parsed. */
  static final int MAX_TOKEN_CHARS = 16 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(OidcExchanger.class);
  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  /** One configured issuer with its keys and rules. */
  public record Issuer(String issuer, String audience, OidcJwks keys, OidcClaimRules rules) {}

  private final List<Issuer> issuers;
  private final Clock clock;

  public OidcExchanger(List<Issuer> issuers, Clock clock) {
    this.issuers = List.copyOf(issuers);
    this.clock = clock;
  }

  /**
   * From {@code auth.oidc}: keys from each entry's {@code jwksFile} (read now), {@code jwksUrl}, or
   * the issuer's discovery document, fetched with {@code fetcher}.
   */
  public static OidcExchanger fromConfig(
      List<OidcConfig> configs, OidcFetcher fetcher, Clock clock) {
    List<Issuer> issuers =
        configs.stream()
            .map(
                c ->
                    new Issuer(
                        c.issuer(),
                        c.audience(),
                        c.jwksFile()
                            .map(f -> OidcJwks.fromFile(f, clock))
                            .or(() -> c.jwksUrl().map(u -> OidcJwks.fromUrl(u, fetcher, clock)))
                            .orElseGet(() -> OidcJwks.discover(c.issuer(), fetcher, clock)),
                        new OidcClaimRules(c.rules())))
            .toList();
    return new OidcExchanger(issuers, clock);
  }

  /**
   * The exchanger for one {@code auth.oidc} entry, for the gateway's {@link AuthProviders}: keys
   * over HTTPS with a 10 s timeout; a JWKS file that cannot be used is a {@link ConfigException}.
   */
  public static OidcExchanger forIssuer(OidcConfig config) {
    return forIssuers(List.of(config));
  }

  /**
   * One exchanger for all {@code auth.oidc} entries, which picks the entries by the token's {@code
   * iss}: so a token is refused once, for the reason that concerns its issuer, not once per other
   * issuer. Errors as {@link #forIssuer}.
   */
  public static OidcExchanger forIssuers(List<OidcConfig> configs) {
    OidcFetcher fetcher = OidcFetcher.http(Duration.ofSeconds(10));
    List<Issuer> issuers = new ArrayList<>();
    for (OidcConfig config : configs) {
      try {
        issuers.addAll(fromConfig(List.of(config), fetcher, Clock.systemUTC()).issuers);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("auth.oidc (" + config.issuer() + "): " + e.getMessage());
      }
    }
    return new OidcExchanger(issuers, Clock.systemUTC());
  }

  /** {@link #fromConfig(List, OidcFetcher, Clock)} over HTTPS with a 10 s timeout. */
  public static OidcExchanger fromConfig(List<OidcConfig> configs) {
    return fromConfig(configs, OidcFetcher.http(Duration.ofSeconds(10)), Clock.systemUTC());
  }

  @Override
  public Optional<Identity> exchange(String idToken) {
    try {
      return accept(idToken);
    } catch (ParseException | JOSEException | RuntimeException e) {
      return refuse("token is not a valid JWT (" + e.getClass().getSimpleName() + ")");
    }
  }

  private Optional<Identity> accept(String idToken) throws ParseException, JOSEException {
    if (idToken == null || idToken.isBlank() || idToken.length() > MAX_TOKEN_CHARS) {
      return refuse("no token, or one too long to be an ID token");
    }
    SignedJWT jwt = SignedJWT.parse(idToken.strip());
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(alg)) {
      return refuse("alg " + alg + " is not accepted (RS256 or ES256 only)");
    }
    String kid = jwt.getHeader().getKeyID();
    if (kid == null) {
      return refuse("token has no kid");
    }
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    String iss = claims.getIssuer();
    List<Issuer> candidates = issuers.stream().filter(i -> i.issuer().equals(iss)).toList();
    if (candidates.isEmpty()) {
      return refuse("issuer '" + OidcJwks.printable(iss) + "' is not configured");
    }
    String failure = null;
    for (Issuer issuer : candidates) {
      Optional<String> why = check(issuer, jwt, alg, kid, claims);
      if (why.isPresent()) {
        failure = failure == null ? why.get() : failure;
        continue;
      }
      List<String> roles = issuer.rules().roles(claims.getClaims());
      String subject = "oidc:" + iss + ":" + claims.getSubject();
      if (!roles.isEmpty()) {
        LOG.info("OIDC token of {} accepted: roles {}", OidcJwks.printable(subject), roles);
        return Optional.of(new Identity(subject, Identity.Kind.OIDC, roles, List.of()));
      }
      failure = "no rule matches the claims of " + OidcJwks.printable(subject);
    }
    return refuse(failure);
  }

  /** Empty when the token is valid for {@code issuer}; otherwise why not. */
  private Optional<String> check(
      Issuer issuer, SignedJWT jwt, JWSAlgorithm alg, String kid, JWTClaimsSet claims)
      throws JOSEException {
    Optional<JWK> key = issuer.keys().key(kid);
    if (key.isEmpty()) {
      return Optional.of(
          "issuer " + issuer.issuer() + " has no key '" + OidcJwks.printable(kid) + "'");
    }
    Optional<JWSVerifier> verifier = verifier(alg, key.get());
    if (verifier.isEmpty()) {
      return Optional.of("key '" + OidcJwks.printable(kid) + "' cannot verify " + alg);
    }
    if (!jwt.verify(verifier.get())) {
      return Optional.of("signature does not verify with key '" + OidcJwks.printable(kid) + "'");
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(issuer.audience())) {
      return Optional.of("audience is not " + issuer.audience());
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null || !now.isBefore(exp.toInstant().plus(LEEWAY))) {
      return Optional.of(exp == null ? "token has no exp" : "token expired at " + exp.toInstant());
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now.plus(LEEWAY))) {
      return Optional.of("token not valid before " + nbf.toInstant());
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.toInstant().isAfter(now.plus(LEEWAY))) {
      return Optional.of("token issued in the future (" + iat.toInstant() + ")");
    }
    if (claims.getSubject() == null || claims.getSubject().isBlank()) {
      return Optional.of("token has no sub");
    }
    return Optional.empty();
  }

  /** A verifier only for the pairing the algorithm names: RSA for RS256, P-256 for ES256. */
  private static Optional<JWSVerifier> verifier(JWSAlgorithm alg, JWK key) throws JOSEException {
    if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
      return Optional.empty();
    }
    if (alg.equals(JWSAlgorithm.RS256) && key instanceof RSAKey rsa && rsa.size() >= 2048) {
      return Optional.of(new RSASSAVerifier(rsa.toRSAPublicKey()));
    }
    if (alg.equals(JWSAlgorithm.ES256)
        && key instanceof ECKey ec
        && Curve.P_256.equals(ec.getCurve())) {
      return Optional.of(new ECDSAVerifier(ec.toECPublicKey()));
    }
    return Optional.empty();
  }

  private static Optional<Identity> refuse(String reason) {
    LOG.info("OIDC token refused: {}", reason);
    return Optional.empty();
  }
}
