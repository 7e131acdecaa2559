package io.portcullis.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Access tokens built by hand the way {@link TokenService} builds them, so a test can forge one
 * with exactly one defect (an edit of the claims, another key or kid, HS256) and see it refused.
 */
public final class ForgedTokens {
  private ForgedTokens() {}

  /**
   * The claims of a well-formed five-minute user access token issued at {@code now}, granting pull
   * on {@code repository}; edit the builder to give it a defect.
   */
  public static JWTClaimsSet.Builder accessClaims(
      Instant now, String subject, List<String> roles, String repository, String jwtId) {
    return new JWTClaimsSet.Builder()
        .issuer("portcullis")
        .audience("portcullis")
        .subject(subject)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .jwtID(jwtId)
        .claim("kind", "USER")
        .claim("roles", roles)
        .claim(
            "access",
            List.of(Map.of("type", "repository", "name", repository, "actions", List.of("pull"))));
  }

  /** {@code claims} signed ES256 by {@code key}, typed JWT, with {@code kid} (none when null). */
  public static String es256(ECKey key, String kid, JWTClaimsSet claims) throws JOSEException {
    return es256(key, kid, JOSEObjectType.JWT, claims);
  }

  /** {@code claims} signed ES256 by {@code key}, of {@code type}, with {@code kid} (or none). */
  public static String es256(ECKey key, String kid, JOSEObjectType type, JWTClaimsSet claims)
      throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).type(type).keyID(kid).build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  /** {@code claims} signed HS256 with {@code secret}, typed JWT, with {@code kid}. */
  public static String hs256(String kid, JWTClaimsSet claims, byte[] secret) throws JOSEException {
    JWSObject jws =
        new JWSObject(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).keyID(kid).build(),
            new Payload(claims.toJSONObject()));
    jws.sign(new MACSigner(secret));
    return jws.serialize();
  }

  /**
   * The public JWK of {@code key} as an HMAC secret (padded to the 256 bits HS256 needs): the
   * classic algorithm-confusion forgery.
   */
  public static byte[] publicKeyAsHmacSecret(ECKey key) {
    byte[] publicBytes = key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    return Arrays.copyOf(publicBytes, Math.max(32, publicBytes.length));
  }
}
