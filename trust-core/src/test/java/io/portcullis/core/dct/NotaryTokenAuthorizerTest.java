package io.portcullis.core.dct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.core.registry.Credentials;
import io.portcullis.core.tuf.HttpTufRemote;
import io.portcullis.core.tuf.TufException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Notary server behind a token service, as {@code "auth": {"type": "token"}} configures one: the
 * metadata answers 401 with a Bearer challenge until a token of scope {@code repository:GUN:pull}
 * comes with the request.
 */
class NotaryTokenAuthorizerTest {
  static final String GUN = "registry.corp/team/app";
  static final Credentials ALICE = new Credentials("alice", "s3cret");

  @TempDir Path dir;
  HttpServer server;
  NotaryRepository repo;
  final List<String> tokenRequests = new CopyOnWriteArrayList<>();
  final List<String> authorizationsSeen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    repo = new NotaryRepository(GUN);
    repo.targetEntries.put("v1", "{}".getBytes(StandardCharsets.UTF_8));
    repo.publish();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/token", this::token);
    server.createContext("/v2/", this::metadata);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void token(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getQuery();
    tokenRequests.add(query);
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    boolean ok =
        ALICE.basicAuthorization().equals(auth)
            && query.contains("scope=repository:" + GUN + ":pull")
            && query.contains("service=notary-server");
    respond(exchange, ok ? 200 : 401, ok ? "{\"token\":\"tok-1\",\"expires_in\":300}" : "{}");
  }

  private void metadata(HttpExchange exchange) throws IOException {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    authorizationsSeen.add(String.valueOf(auth));
    if (!"Bearer tok-1".equals(auth)) {
      exchange
          .getResponseHeaders()
          .add(
              "WWW-Authenticate",
              "Bearer realm=\""
                  + base()
                  + "/token\",service=\"notary-server\",scope=\"repository:"
                  + GUN
                  + ":pull\"");
      respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
      return;
    }
    String prefix = "/v2/" + GUN + "/_trust/tuf/";
    byte[] file = repo.files.get(exchange.getRequestURI().getPath().substring(prefix.length()));
    if (file == null) {
      respond(exchange, 404, "{}");
      return;
    }
    exchange.sendResponseHeaders(200, file.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(file);
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  TrustData verify(Optional<Credentials> credentials) throws Exception {
    Clock clock = Clock.fixed(NotaryRepository.NOW, ZoneOffset.UTC);
    HttpTufRemote remote =
        new HttpTufRemote(
            URI.create(base() + "/v2/" + GUN + "/_trust/tuf/"),
            Duration.ofSeconds(5),
            null,
            new NotaryTokenAuthorizer(
                new Gun(GUN), credentials, null, Duration.ofSeconds(5), clock));
    return NotaryRepository.verify(
        GUN, remote, dir.resolve("s" + System.nanoTime()), new RootTrust.FirstUse(), clock);
  }

  @Test
  void aTokenForTheGunIsFetchedOnceAndSentWithEveryRequest() throws Exception {
    TrustData data = verify(Optional.of(ALICE));
    assertEquals("targets", data.resolve("v1", DctVerifier.DOCKER_ROLES).role());
    assertEquals(1, tokenRequests.size(), "one token for the whole update: " + tokenRequests);
    // after the first challenge every request carried the token
    assertEquals("null", authorizationsSeen.get(0));
    assertTrue(authorizationsSeen.stream().skip(1).allMatch("Bearer tok-1"::equals));
  }

  @Test
  void refusedCredentialsFailAsAFetchFailureThatSaysSo() {
    TufException.FetchFailed e =
        assertThrows(
            TufException.FetchFailed.class,
            () -> verify(Optional.of(new Credentials("alice", "wrong"))));
    assertTrue(e.getMessage().contains("answered HTTP 401 to the credentials for " + GUN));
  }

  @Test
  void withoutCredentialsTheTokenServiceRefusalSaysCredentialsAreNeeded() {
    TufException.FetchFailed e =
        assertThrows(TufException.FetchFailed.class, () -> verify(Optional.empty()));
    assertTrue(e.getMessage().contains("credentials are needed"), e.getMessage());
  }

  @Test
  void aTokenServiceThatStallsAfterItsHeadersTimesOut() {
    // the realm is the Notary server's to name: a hostile one names a service that sends its
    // headers and then a byte now and then, for ever
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    server.createContext(
        "/stall",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          exchange.getResponseBody().write('{');
          exchange.getResponseBody().flush();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    NotaryTokenAuthorizer authorizer =
        new NotaryTokenAuthorizer(
            new Gun(GUN), Optional.empty(), null, Duration.ofMillis(500), Clock.systemUTC());
    try {
      TufException e =
          assertTimeoutPreemptively(
              Duration.ofSeconds(2),
              () ->
                  assertThrows(
                      TufException.FetchFailed.class,
                      () ->
                          authorizer.answer(
                              "Bearer realm=\"" + base() + "/stall\",service=\"x\"")));
      assertTrue(e.getMessage().contains("took longer than"), e.getMessage());
    } finally {
      release.countDown();
    }
  }
}
