package io.portcullis.gateway.auth;

import static io.portcullis.gateway.auth.OidcTestKeys.claims;
import static io.portcullis.gateway.auth.OidcTestKeys.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.gateway.config.OidcConfig;
import io.portcullis.gateway.config.OidcRule;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys fetched from a loopback issuer (JDK HttpServer) with the real HTTP fetcher. */
class OidcJwksTest {
  private static final String AUDIENCE = "portcullis";
  private static final Instant START = Instant.parse("2026-06-01T12:00:00Z");

  private final OidcTestKeys.MovableClock clock = new OidcTestKeys.MovableClock(START);
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final Map<String, Response> routes = new ConcurrentHashMap<>();
  private HttpServer server;
  private String issuer;

  record Response(int status, String body) {}

  @BeforeEach
  void startIssuer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::serve);
    server.start();
    issuer = "http://127.0.0.1:" + server.getAddress().getPort();
    routes.put(
        "/.well-known/openid-configuration",
        new Response(200, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/keys\"}"));
    publish(OidcTestKeys.EC);
  }

  @AfterEach
  void stopIssuer() {
    server.stop(0);
  }

  private void serve(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    Response r = routes.getOrDefault(path, new Response(404, "{}"));
    byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(r.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void publish(ECKey... keys) {
    routes.put("/keys", new Response(200, OidcTestKeys.jwks(keys)));
  }

  private int hits(String path) {
    return hits.getOrDefault(path, new AtomicInteger()).get();
  }

  private OidcExchanger exchanger(Optional<URI> jwksUrl) {
    OidcConfig config =
        new OidcConfig(
            issuer,
            AUDIENCE,
            Optional.empty(),
            jwksUrl,
            List.of(new OidcRule(Map.of("repository", "acme/app"), List.of("dev"))));
    return OidcExchanger.fromConfig(
        List.of(config), OidcFetcher.http(Duration.ofSeconds(5)), clock);
  }

  private String token(ECKey key) {
    return sign(key, claims(issuer, AUDIENCE, clock.instant(), "refs/heads/main").build());
  }

  @Test
  void discoveryThenJwksFetchedOnceAndCached() {
    OidcExchanger exchanger = exchanger(Optional.empty());
    assertEquals(List.of("dev"), exchanger.exchange(token(OidcTestKeys.EC)).orElseThrow().roles());
    assertTrue(exchanger.exchange(token(OidcTestKeys.EC)).isPresent());
    assertEquals(1, hits("/.well-known/openid-configuration"));
    assertEquals(1, hits("/keys"), "cached");

    clock.advance(OidcJwks.MAX_AGE);
    assertTrue(exchanger.exchange(token(OidcTestKeys.EC)).isPresent());
    assertEquals(2, hits("/keys"), "fetched again once the cached set is an hour old");
  }

  @Test
  void jwksUrlWithoutDiscovery() {
    OidcExchanger exchanger = exchanger(Optional.of(URI.create(issuer + "/keys")));
    assertTrue(exchanger.exchange(token(OidcTestKeys.EC)).isPresent());
    assertEquals(0, hits("/.well-known/openid-configuration"));
  }

  @Test
  void rotatedKeyIsPickedUpButUnknownKidsFetchAtMostOnceAMinute() {
    OidcExchanger exchanger = exchanger(Optional.empty());
    assertTrue(exchanger.exchange(token(OidcTestKeys.EC)).isPresent());
    ECKey rotated = OidcTestKeys.ec("ec-2");
    publish(OidcTestKeys.EC, rotated);

    clock.advance(Duration.ofSeconds(30));
    assertEquals(Optional.empty(), exchanger.exchange(token(rotated)), "within the minute");
    assertEquals(1, hits("/keys"), "no refetch within a minute of the last fetch");

    clock.advance(Duration.ofSeconds(30));
    assertTrue(exchanger.exchange(token(rotated)).isPresent(), "refetched on unknown kid");
    assertEquals(2, hits("/keys"));

    clock.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 20; i++) {
      assertFalse(exchanger.exchange(token(OidcTestKeys.ec("forged-" + i))).isPresent());
    }
    assertEquals(2, hits("/keys"), "forged kids cannot make us hammer the issuer");
    assertTrue(exchanger.exchange(token(OidcTestKeys.EC)).isPresent(), "old key still known");
  }

  @Test
  void issuerDownFailsClosedAndRecovers() {
    routes.put("/keys", new Response(500, "oops"));
    OidcExchanger exchanger = exchanger(Optional.empty());
    assertEquals(Optional.empty(), exchanger.exchange(token(OidcTestKeys.EC)));
    int fetches = hits("/keys");
    assertEquals(Optional.empty(), exchanger.exchange(token(OidcTestKeys.EC)));
    assertEquals(fetches, hits("/keys"), "no retry right after a failure");

    publish(OidcTestKeys.EC);
    clock.advance(OidcJwks.RETRY_AFTER_FAILURE);
    assertTrue(exchanger.exchange(token(OidcTestKeys.EC)).isPresent(), "recovered");
  }

  @Test
  void discoveryNamingAnotherIssuerIsRefused() {
    routes.put(
        "/.well-known/openid-configuration",
        new Response(
            200, "{\"issuer\":\"https://evil.example\",\"jwks_uri\":\"" + issuer + "/keys\"}"));
    assertEquals(Optional.empty(), exchanger(Optional.empty()).exchange(token(OidcTestKeys.EC)));
    assertEquals(0, hits("/keys"));
  }

  @Test
  void oversizedDocumentIsRefused() {
    routes.put("/keys", new Response(200, " ".repeat(OidcFetcher.MAX_BYTES + 1)));
    IOException e =
        assertThrows(
            IOException.class,
            () -> OidcFetcher.http(Duration.ofSeconds(5)).get(URI.create(issuer + "/keys")));
    assertTrue(e.getMessage().contains("more than"), e.getMessage());
  }

  @Test
  void keysOnlyOverHttpsExceptOnLoopback() {
    OidcFetcher fetcher = OidcFetcher.http(Duration.ofSeconds(1));
    // an address literal: no name lookup, and nothing is sent
    IOException e =
        assertThrows(IOException.class, () -> fetcher.get(URI.create("http://192.0.2.1/keys")));
    assertTrue(e.getMessage().contains("https only"), e.getMessage());
  }

  @Test
  void privatePartsAndEncryptionKeysInAJwksFileAreDropped(@TempDir Path dir) throws Exception {
    ECKey enc = new ECKey.Builder(OidcTestKeys.ec("enc-1")).keyUse(KeyUse.ENCRYPTION).build();
    Path file =
        Files.writeString(
            dir.resolve("jwks.json"),
            new JWKSet(List.of(OidcTestKeys.EC, enc)).toString(false)); // with private parts
    OidcJwks jwks = OidcJwks.fromFile(file, clock);
    assertFalse(jwks.key("ec-1").orElseThrow().isPrivate());
    assertEquals(Optional.empty(), jwks.key("enc-1"));
  }
}
