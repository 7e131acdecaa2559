package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.portcullis.gateway.config.AccessRule.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tokens: issue and verify round trip, refresh tokens apart, and every forgery rejected. */
class TokenServiceTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final Identity ALICE =
      new Identity("alice", Identity.Kind.USER, List.of("reader"), List.of());
  @TempDir static Path dir;
  static TokenKey key;
  static TokenService service;

  @BeforeAll
  static void key() throws Exception {
    key = TokenKey.loadOrCreate(dir.resolve("token-key.pem"));
    service = at(NOW);
  }

  static TokenService at(Instant now) {
    return new TokenService(
        key, Duration.ofMinutes(5), Duration.ofHours(1), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void issuedTokensVerifyWithTheirIdentityAndGrants() throws Exception {
    Scope pull = Scope.repository("team-a/app", Set.of(Action.PULL, Action.PUSH));
    TokenService.Issued issued = service.issue(ALICE, List.of(pull));
    assertEquals(NOW, issued.issuedAt());
    assertEquals(Duration.ofMinutes(5), issued.expiresIn());

    AccessToken t = service.verifyAccess(issued.token()).orElseThrow();
    assertEquals(ALICE, t.identity());
    assertEquals(List.of(pull), t.access());
    assertEquals(NOW.plus(Duration.ofMinutes(5)), t.expiry());
    assertTrue(t.grants("team-a/app", Action.PUSH));
    assertFalse(t.grants("team-a/app", Action.DELETE));
    assertFalse(t.grants("team-a/other", Action.PULL));

    SignedJWT jwt = SignedJWT.parse(issued.token());
    assertEquals(JWSAlgorithm.ES256, jwt.getHeader().getAlgorithm());
    assertEquals(key.kid(), jwt.getHeader().getKeyID());
    JWTClaimsSet c = jwt.getJWTClaimsSet();
    assertEquals("portcullis", c.getIssuer());
    assertEquals(List.of("portcullis"), c.getAudience());
    assertEquals("alice", c.getSubject());
    assertEquals(Date.from(NOW), c.getNotBeforeTime());
    assertEquals(Date.from(NOW), c.getIssueTime());
    assertTrue(c.getJWTID().length() >= 32);
    assertEquals(
        List.of(
            Map.of("type", "repository", "name", "team-a/app", "actions", List.of("pull", "push"))),
        c.getClaim("access"));
  }

  @Test
  void robotScopesSurviveTheRoundTrip() {
    Identity robot = new Identity("robot$ci", Identity.Kind.ROBOT, List.of("r"), List.of("a/**"));
    assertEquals(
        robot,
        service.verifyAccess(service.issue(robot, List.of()).token()).orElseThrow().identity());
  }

  @Test
  void tokensAreValidUntilExpiryWithASmallLeeway() {
    String token = service.issue(ALICE, List.of()).token();
    assertTrue(at(NOW.plusSeconds(299)).verifyAccess(token).isPresent());
    assertTrue(at(NOW.plusSeconds(320)).verifyAccess(token).isPresent(), "30 s leeway");
    assertTrue(at(NOW.plusSeconds(340)).verifyAccess(token).isEmpty(), "expired");
    assertTrue(at(NOW.minusSeconds(20)).verifyAccess(token).isPresent(), "clock skew");
    assertTrue(at(NOW.minusSeconds(120)).verifyAccess(token).isEmpty(), "not yet valid");
  }

  @Test
  void refreshAndAccessTokensNeverStandInForEachOther() {
    String refresh = service.refreshToken(ALICE);
    String access = service.issue(ALICE, List.of()).token();
    assertEquals(ALICE, service.verifyRefresh(refresh).orElseThrow());
    assertTrue(service.verifyAccess(refresh).isEmpty());
    assertTrue(service.verifyRefresh(access).isEmpty());
    assertTrue(at(NOW.plus(Duration.ofMinutes(90))).verifyRefresh(refresh).isEmpty(), "expired");
  }

  @Test
  void theKeyFileIsCreatedPrivateWithAKidAndReused() throws Exception {
    Path file = dir.resolve("sub/key.pem");
    TokenKey first = TokenKey.loadOrCreate(file);
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
    assertEquals(first.jwk().computeThumbprint().toString(), first.kid());
    TokenKey again = TokenKey.loadOrCreate(file);
    assertEquals(first.kid(), again.kid());
    assertEquals(first.jwk().toPublicJWK(), again.jwk().toPublicJWK());
    assertNotEquals(key.kid(), first.kid(), "a new key has a new kid");
    try (Stream<Path> left = Files.list(file.getParent())) {
      assertEquals(List.of(file), left.toList(), "no temporary file left behind");
    }
  }

  static Stream<Arguments> forgeries() throws Exception {
    JWTClaimsSet good = claims(b -> b);
    ECKey other = new ECKeyGenerator(Curve.P_256).keyID(key.kid()).generate();
    byte[] hmacKey = ForgedTokens.publicKeyAsHmacSecret(key.jwk());
    String valid = service.issue(ALICE, List.of()).token();
    String[] parts = valid.split("\\.");
    String tamperedAccess =
        parts[0]
            + "."
            + Base64URL.encode(
                claims(
                        b ->
                            b.claim(
                                "access",
                                List.of(
                                    Map.of(
                                        "type", "repository",
                                        "name", "team-b/app",
                                        "actions", List.of("push")))))
                    .toString())
            + "."
            + parts[2];
    return Stream.of(
        Arguments.of("alg none", new PlainJWT(good).serialize()),
        Arguments.of(
            "alg none with our kid",
            new PlainJWT(new PlainHeader.Builder().customParam("kid", key.kid()).build(), good)
                .serialize()),
        Arguments.of(
            "HS256 keyed with our public key", ForgedTokens.hs256(key.kid(), good, hmacKey)),
        Arguments.of(
            "signed by another key claiming our kid", ForgedTokens.es256(other, key.kid(), good)),
        Arguments.of("wrong kid", ForgedTokens.es256(key.jwk(), "not-our-kid", good)),
        Arguments.of("no kid", ForgedTokens.es256(key.jwk(), null, good)),
        Arguments.of(
            "wrong issuer",
            ForgedTokens.es256(key.jwk(), key.kid(), claims(b -> b.issuer("evil")))),
        Arguments.of(
            "wrong audience",
            ForgedTokens.es256(key.jwk(), key.kid(), claims(b -> b.audience("other")))),
        Arguments.of(
            "expired",
            ForgedTokens.es256(
                key.jwk(),
                key.kid(),
                claims(b -> b.expirationTime(Date.from(NOW.minusSeconds(3600)))))),
        Arguments.of(
            "no access claim",
            ForgedTokens.es256(key.jwk(), key.kid(), claims(b -> b.claim("access", null)))),
        Arguments.of(
            "access not a list",
            ForgedTokens.es256(key.jwk(), key.kid(), claims(b -> b.claim("access", "all")))),
        Arguments.of(
            "unknown kind",
            ForgedTokens.es256(key.jwk(), key.kid(), claims(b -> b.claim("kind", "ROOT")))),
        Arguments.of("tampered access", tamperedAccess),
        Arguments.of("signature cut off", parts[0] + "." + parts[1] + "."),
        Arguments.of("garbage", "not-a-token"),
        Arguments.of("empty", ""),
        Arguments.of("three dots", "..."),
        Arguments.of("huge", "a".repeat(100_000)),
        Arguments.of("refresh token", service.refreshToken(ALICE)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void forgedOrBrokenTokensAreRejected(String what, String token) {
    assertTrue(service.verifyAccess(token).isEmpty(), what);
  }

  private static JWTClaimsSet claims(Function<JWTClaimsSet.Builder, JWTClaimsSet.Builder> edit) {
    return edit.apply(ForgedTokens.accessClaims(NOW, "mallory", List.of("admin"), "a", "j"))
        .build();
  }

  @Test
  void replicasDerivingTheKeyFromOneSharedSeedAcceptEachOthersTokens() throws Exception {
    byte[] seed = new byte[32];
    new java.security.SecureRandom().nextBytes(seed);
    TokenKey onA = TokenKey.fromSeed(seed);
    TokenKey onB = TokenKey.fromSeed(seed.clone());
    assertEquals(onA.kid(), onB.kid());
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    TokenService a = new TokenService(onA, Duration.ofMinutes(5), Duration.ofHours(1), clock);
    TokenService b = new TokenService(onB, Duration.ofMinutes(5), Duration.ofHours(1), clock);
    String token = a.issue(ALICE, List.of()).token();
    assertEquals(ALICE.subject(), b.verifyAccess(token).orElseThrow().identity().subject());

    seed[0] ^= 1;
    TokenService other =
        new TokenService(
            TokenKey.fromSeed(seed), Duration.ofMinutes(5), Duration.ofHours(1), clock);
    assertTrue(other.verifyAccess(token).isEmpty(), "another seed, another key");
  }
}
