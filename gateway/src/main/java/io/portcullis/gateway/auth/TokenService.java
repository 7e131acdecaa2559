package io.portcullis.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Issues and verifies the gateway's ES256 JWTs: access tokens as the <a
 * href="https://distribution.github.io/distribution/spec/auth/jwt/">registry token JWT</a>
 * describes ({@code iss}, {@code sub}, {@code aud} = service, {@code exp}, {@code nbf}, {@code
 * iat}, {@code jti}, {@code access}), and refresh tokens for the <a
 * href="https://distribution.github.io/distribution/spec/auth/oauth/">OAuth2 refresh_token
 * grant</a>. The two are told apart by their {@code typ} header, so neither stands in for the
 * other. Verification accepts only ES256 signatures by our key, found by {@code kid}, with our
 * issuer and audience, inside their validity (30 s leeway).
 */
public final class TokenService {
  /** The {@code service} (and token audience) clients name in token requests. */
  public static final String SERVICE = "portcullis";

  /** The token issuer. */
  public static final String ISSUER = "portcullis";

  static final JOSEObjectType REFRESH_TYPE = new JOSEObjectType("portcullis-refresh+jwt");
  private static final int LEEWAY_SECONDS = 30;

  private final TokenKey key;
  private final Duration ttl;
  private final Duration refreshTtl;
  private final Clock clock;
  private final ECDSASigner signer;
  private final DefaultJWTProcessor<SecurityContext> accessProcessor;
  private final DefaultJWTProcessor<SecurityContext> refreshProcessor;

  public TokenService(TokenKey key, Duration ttl, Duration refreshTtl, Clock clock) {
    this.key = key;
    this.ttl = ttl;
    this.refreshTtl = refreshTtl;
    this.clock = clock;
    try {
      this.signer = new ECDSASigner(key.jwk());
    } catch (JOSEException e) {
      throw new IllegalArgumentException("token key cannot sign: " + e.getMessage(), e);
    }
    this.accessProcessor = processor(JOSEObjectType.JWT, Set.of("access"));
    this.refreshProcessor = processor(REFRESH_TYPE, Set.of());
  }

  /** A signed access token and its times. */
  public record Issued(String token, Instant issuedAt, Duration expiresIn) {}

  /** An access token for {@code identity} granting exactly {@code access}. */
  public Issued issue(Identity identity, List<Scope> access) {
    Instant now = clock.instant();
    List<Map<String, Object>> claim = new ArrayList<>();
    for (Scope s : access) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("type", s.type());
      entry.put("name", s.name());
      entry.put("actions", s.actions());
      claim.add(entry);
    }
    JWTClaimsSet claims = base(identity, now, ttl).claim("access", claim).build();
    return new Issued(sign(JOSEObjectType.JWT, claims), now, ttl);
  }

  /** A refresh token: it names the identity and grants nothing by itself. */
  public String refreshToken(Identity identity) {
    return sign(REFRESH_TYPE, base(identity, clock.instant(), refreshTtl).build());
  }

  /** The access token's identity and grants, or empty when it is not one of ours or not valid. */
  public Optional<AccessToken> verifyAccess(String token) {
    return process(accessProcessor, token)
        .flatMap(
            claims ->
                identity(claims)
                    .flatMap(
                        id ->
                            access(claims)
                                .map(
                                    a ->
                                        new AccessToken(
                                            id, a, claims.getExpirationTime().toInstant()))));
  }

  /** The identity a refresh token was issued to, or empty. */
  public Optional<Identity> verifyRefresh(String token) {
    return process(refreshProcessor, token).flatMap(TokenService::identity);
  }

  /** The signing key's id (its thumbprint). */
  public String kid() {
    return key.kid();
  }

  public Duration ttl() {
    return ttl;
  }

  private JWTClaimsSet.Builder base(Identity identity, Instant now, Duration lifetime) {
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(identity.subject())
            .audience(SERVICE)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(lifetime)))
            .jwtID(UUID.randomUUID().toString())
            .claim("kind", identity.kind().name())
            .claim("roles", identity.roles());
    if (!identity.repositoryScopes().isEmpty()) {
      b.claim("repositoryScopes", identity.repositoryScopes());
    }
    return b;
  }

  private String sign(JOSEObjectType type, JWTClaimsSet claims) {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).type(type).keyID(key.kid()).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  private DefaultJWTProcessor<SecurityContext> processor(
      JOSEObjectType type, Set<String> extraClaims) {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(type));
    p.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            JWSAlgorithm.ES256, new ImmutableJWKSet<>(new JWKSet(key.jwk().toPublicJWK()))));
    Set<String> required = new HashSet<>(extraClaims);
    required.addAll(Set.of("sub", "exp", "nbf", "iat", "jti", "kind"));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            SERVICE, new JWTClaimsSet.Builder().issuer(ISSUER).build(), required) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    claims.setMaxClockSkew(LEEWAY_SECONDS);
    p.setJWTClaimsSetVerifier(claims);
    return p;
  }

  private Optional<JWTClaimsSet> process(DefaultJWTProcessor<SecurityContext> p, String token) {
    if (token == null || token.length() > 16 * 1024) {
      return Optional.empty();
    }
    try {
      // A kid is required: a token without one must not match "any key" of the set.
      SignedJWT parsed = SignedJWT.parse(token);
      if (!key.kid().equals(parsed.getHeader().getKeyID())) {
        return Optional.empty();
      }
      return Optional.of(p.process(parsed, null));
    } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Identity> identity(JWTClaimsSet claims) {
    try {
      Identity.Kind kind = Identity.Kind.valueOf(claims.getStringClaim("kind"));
      List<String> roles = claims.getStringListClaim("roles");
      List<String> scopes = claims.getStringListClaim("repositoryScopes");
      return Optional.of(
          new Identity(
              claims.getSubject(),
              kind,
              roles == null ? List.of() : roles,
              scopes == null ? List.of() : scopes));
    } catch (ParseException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<List<Scope>> access(JWTClaimsSet claims) {
    if (!(claims.getClaim("access") instanceof List<?> entries)) {
      return Optional.empty();
    }
    List<Scope> result = new ArrayList<>();
    for (Object entry : entries) {
      if (!(entry instanceof Map<?, ?> m)
          || !(m.get("type") instanceof String type)
          || !(m.get("name") instanceof String name)
          || !(m.get("actions") instanceof List<?> actions)) {
        return Optional.empty();
      }
      List<String> names = new ArrayList<>();
      for (Object a : actions) {
        if (!(a instanceof String s)) {
          return Optional.empty();
        }
        names.add(s);
      }
      result.add(new Scope(type, name, names));
    }
    return Optional.of(result);
  }
}
