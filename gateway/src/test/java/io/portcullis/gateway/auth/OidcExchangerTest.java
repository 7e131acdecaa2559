package io.portcullis.gateway.auth;

import static io.portcullis.gateway.auth.OidcTestKeys.EC;
import static io.portcullis.gateway.auth.OidcTestKeys.RSA;
import static io.portcullis.gateway.auth.OidcTestKeys.claims;
import static io.portcullis.gateway.auth.OidcTestKeys.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.OidcConfig;
import io.portcullis.gateway.config.OidcRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ID tokens signed here with our own keys, checked against a JWKS file (no network). */
class OidcExchangerTest {
  static final String GITHUB = "https://token.actions.githubusercontent.com";
  static final String AUDIENCE = "https://portcullis.example";
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  @TempDir Path dir;
  private OidcExchanger exchanger;

  @BeforeEach
  void setUp() throws IOException {
    Path jwks = Files.writeString(dir.resolve("jwks.json"), OidcTestKeys.jwks(RSA, EC));
    List<OidcRule> rules =
        List.of(
            new OidcRule(
                Map.of("repository", "acme/app", "ref", "refs/heads/main"), List.of("team-a-dev")),
            new OidcRule(
                Map.of("repository_owner", "acme", "ref", "refs/tags/v*"), List.of("releaser")),
            new OidcRule(
                Map.of("repository", "acme/*", "ref", "refs/heads/**"), List.of("reader")));
    OidcConfig github =
        new OidcConfig(GITHUB, AUDIENCE, Optional.of(jwks), Optional.empty(), rules);
    OidcFetcher offline = uri -> fail("no network for a JWKS file: " + uri);
    exchanger =
        OidcExchanger.fromConfig(List.of(github), offline, new OidcTestKeys.MovableClock(NOW));
  }

  private static JWTClaimsSet.Builder valid() {
    return claims(GITHUB, AUDIENCE, NOW, "refs/heads/main");
  }

  @Test
  void validRsaTokenGetsTheRolesOfEveryMatchingRule() {
    Optional<Identity> who = exchanger.exchange(sign(RSA, valid().build()));
    assertEquals(
        Optional.of(
            new Identity(
                "oidc:" + GITHUB + ":repo:acme/app:ref:refs/heads/main",
                Identity.Kind.OIDC,
                List.of("team-a-dev", "reader"),
                List.of())),
        who);
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("ES256", (Function<JWTClaimsSet.Builder, String>) b -> sign(EC, b.build())),
        Arguments.of(
            "aud array containing ours",
            (Function<JWTClaimsSet.Builder, String>)
                b -> sign(RSA, b.audience(List.of("other", AUDIENCE)).build())),
        Arguments.of(
            "expired 30s ago, within leeway",
            (Function<JWTClaimsSet.Builder, String>)
                b -> sign(RSA, b.expirationTime(Date.from(NOW.minusSeconds(30))).build())),
        Arguments.of(
            "no nbf, no iat",
            (Function<JWTClaimsSet.Builder, String>)
                b -> sign(RSA, b.notBeforeTime(null).issueTime(null).build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void accepts(String why, Function<JWTClaimsSet.Builder, String> token) {
    assertEquals(
        List.of("team-a-dev", "reader"),
        exchanger.exchange(token.apply(valid())).orElseThrow().roles(),
        why);
  }

  @Test
  void rulesDecideTheRoles() {
    assertEquals(
        List.of("releaser"),
        exchanger
            .exchange(sign(RSA, claims(GITHUB, AUDIENCE, NOW, "refs/tags/v1.2").build()))
            .orElseThrow()
            .roles());
    assertEquals(
        List.of("reader"),
        exchanger
            .exchange(sign(RSA, claims(GITHUB, AUDIENCE, NOW, "refs/heads/feat/x").build()))
            .orElseThrow()
            .roles(),
        "'**' crosses '/'");
  }

  static Stream<Arguments> refused() throws JOSEException {
    RSASSASigner otherRsa = new RSASSASigner(OidcTestKeys.rsa("rsa-1"));
    byte[] rsaPublicBytes = RSA.toRSAPublicKey().getEncoded();
    String good = sign(RSA, valid().build());
    String otherPayload = sign(RSA, valid().subject("repo:evil/app:ref:refs/heads/main").build());
    String[] g = good.split("\\.");
    return Stream.of(
        Arguments.of("unknown issuer", sign(RSA, valid().issuer("https://gitlab.com").build())),
        Arguments.of(
            "issuer differs by a trailing slash", sign(RSA, valid().issuer(GITHUB + "/").build())),
        Arguments.of("wrong audience", sign(RSA, valid().audience("https://other").build())),
        Arguments.of("no audience", sign(RSA, valid().audience((String) null).build())),
        Arguments.of(
            "expired",
            sign(RSA, valid().expirationTime(Date.from(NOW.minus(Duration.ofMinutes(2)))).build())),
        Arguments.of("no exp", sign(RSA, valid().expirationTime(null).build())),
        Arguments.of(
            "not valid yet",
            sign(RSA, valid().notBeforeTime(Date.from(NOW.plus(Duration.ofMinutes(5)))).build())),
        Arguments.of(
            "issued in the future",
            sign(RSA, valid().issueTime(Date.from(NOW.plus(Duration.ofMinutes(5)))).build())),
        Arguments.of("no sub", sign(RSA, valid().subject(null).build())),
        Arguments.of(
            "bad signature: another key under our kid",
            sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                otherRsa,
                valid().build())),
        Arguments.of(
            "payload swapped under a valid signature",
            g[0] + "." + otherPayload.split("\\.")[1] + "." + g[2]),
        Arguments.of("signature stripped", g[0] + "." + g[1] + "."),
        Arguments.of("alg none", new PlainJWT(valid().build()).serialize()),
        Arguments.of("alg none with kid", "eyJhbGciOiJub25lIiwia2lkIjoicnNhLTEifQ." + g[1] + "."),
        Arguments.of(
            "HS256 keyed with the RSA public key",
            sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                new MACSigner(rsaPublicBytes),
                valid().build())),
        Arguments.of(
            "RS512 (only RS256 and ES256 are accepted)",
            sign(
                new JWSHeader.Builder(JWSAlgorithm.RS512).keyID("rsa-1").build(),
                new RSASSASigner(RSA),
                valid().build())),
        Arguments.of(
            "ES256 header naming the RSA key",
            sign(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("rsa-1").build(),
                new ECDSASigner(EC),
                valid().build())),
        Arguments.of("unknown kid", sign(OidcTestKeys.rsa("rsa-9"), valid().build())),
        Arguments.of(
            "no kid",
            sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256).build(),
                new RSASSASigner(RSA),
                valid().build())),
        Arguments.of(
            "no matching rule: other repository",
            sign(
                RSA,
                valid().claim("repository", "evil/app").claim("repository_owner", "evil").build())),
        Arguments.of(
            "no matching rule: '*' does not cross '/'",
            sign(RSA, claims(GITHUB, AUDIENCE, NOW, "refs/tags/v1/x").build())),
        Arguments.of(
            "no matching rule: claim is an array",
            sign(
                RSA,
                valid().claim("repository", List.of("acme/app")).claim("ref", List.of()).build())),
        Arguments.of("garbage", "not a token"),
        Arguments.of("empty", ""),
        Arguments.of("null", null),
        Arguments.of("JWE-shaped", "a.b.c.d.e"),
        Arguments.of("huge", "a".repeat(OidcExchanger.MAX_TOKEN_CHARS + 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWithEmptyNeverAnException(String why, String token) {
    assertEquals(Optional.empty(), exchanger.exchange(token), why);
  }

  @Test
  void brokenJwksFileStopsStartup() throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"keys\": [");
    OidcConfig c =
        new OidcConfig(
            GITHUB,
            AUDIENCE,
            Optional.of(broken),
            Optional.empty(),
            List.of(new OidcRule(Map.of("repository", "acme/app"), List.of("dev"))));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OidcExchanger.fromConfig(List.of(c)));
    assertEquals(true, e.getMessage().contains("broken.json"), e.getMessage());
    ConfigException config = assertThrows(ConfigException.class, () -> OidcExchanger.forIssuer(c));
    assertEquals(true, config.getMessage().startsWith("auth.oidc (" + GITHUB + "): "));
  }
}
