package io.portcullis.core.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The client against scripted servers: the token protocol and its cache, Basic, refusals,
 * redirects, digest checks and the "unreachable" family of failures.
 */
class RegistryProtocolTest {
  private static final byte[] MANIFEST =
      ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"layers\":[]}")
          .getBytes(StandardCharsets.UTF_8);
  private static final Digest MANIFEST_DIGEST = Digest.sha256(MANIFEST);
  private static final Reference V1 = Reference.of(Tag.of("v1"));

  private static RegistryClient client(String host, CredentialSource creds) {
    return RegistryClient.create(
        new RegistryClientConfig(creds, Set.of(host), Duration.ofSeconds(5)));
  }

  private static CredentialSource alice() {
    return registry -> Optional.of(new Credentials("alice", "pw"));
  }

  private static FakeRegistryServer.Script manifest() {
    return ex -> {
      ex.getResponseHeaders().add("Content-Type", MediaTypes.OCI_MANIFEST);
      ex.getResponseHeaders().add("Docker-Content-Digest", MANIFEST_DIGEST.toString());
      FakeRegistryServer.send(ex, 200, MANIFEST);
    };
  }

  /** A registry that wants a bearer token from its own /token realm, which wants alice:pw. */
  private static FakeRegistryServer tokenRegistry() {
    String[] self = new String[1];
    FakeRegistryServer server =
        new FakeRegistryServer(
            Map.of(
                "* /v2/team/app/manifests/v1",
                ex -> {
                  if ("Bearer good-token"
                      .equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    manifest().reply(ex);
                    return;
                  }
                  ex.getResponseHeaders()
                      .add(
                          "WWW-Authenticate",
                          "Bearer realm=\"https://"
                              + self[0]
                              + "/token\",service=\"fake\",scope=\"repository:team/app:pull\"");
                  FakeRegistryServer.send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                },
                "GET /token",
                ex -> {
                  String auth = ex.getRequestHeaders().getFirst("Authorization");
                  if (!new Credentials("alice", "pw").basicAuthorization().equals(auth)) {
                    FakeRegistryServer.send(ex, 401, "");
                    return;
                  }
                  FakeRegistryServer.send(ex, 200, "{\"token\":\"good-token\",\"expires_in\":300}");
                }));
    self[0] = server.hostAndPort();
    return server;
  }

  @Test
  void answersTheTokenChallengeOnceAndReusesTheToken() {
    try (FakeRegistryServer server = tokenRegistry()) {
      RegistryClient client = client(server.hostAndPort(), alice());
      RemoteRepository repo = RemoteRepository.of(server.hostAndPort(), "team/app");

      FetchedManifest first = client.getManifest(repo, V1);
      FetchedManifest second = client.getManifest(repo, V1);

      assertArrayEquals(MANIFEST, first.bytes());
      assertEquals(MANIFEST_DIGEST, second.digest());
      assertEquals(1, server.count("/token"), "the token is cached per scope");
      String tokenRequest =
          server.seen.stream()
              .filter(s -> s.pathAndQuery().startsWith("/token"))
              .findFirst()
              .orElseThrow()
              .pathAndQuery();
      assertTrue(tokenRequest.contains("service=fake"), tokenRequest);
      assertTrue(tokenRequest.contains("scope=repository%3Ateam%2Fapp%3Apull"), tokenRequest);
      assertEquals(
          "Bearer good-token",
          server.seen.get(server.seen.size() - 1).authorization(),
          "the second GET sends the cached token up front");
    }
  }

  @Test
  void wrongCredentialsAreUnauthorizedAndNotEchoed() {
    try (FakeRegistryServer server = tokenRegistry()) {
      RegistryClient client =
          client(server.hostAndPort(), r -> Optional.of(new Credentials("alice", "WRONGPW")));
      RegistryException e =
          assertThrows(
              RegistryUnauthorizedException.class,
              () -> client.getManifest(RemoteRepository.of(server.hostAndPort(), "team/app"), V1));
      assertTrue(e.getMessage().contains("refused the credentials"), e.getMessage());
      assertTrue(!e.getMessage().contains("WRONGPW"));
    }
  }

  @Test
  void basicChallengeIsAnsweredWithConfiguredCredentials() {
    FakeRegistryServer.Script basicOnly =
        ex -> {
          if (new Credentials("alice", "pw")
              .basicAuthorization()
              .equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            manifest().reply(ex);
          } else {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"fake\"");
            FakeRegistryServer.send(ex, 401, "");
          }
        };
    try (FakeRegistryServer server =
        new FakeRegistryServer(Map.of("* /v2/team/app/manifests/v1", basicOnly))) {
      RemoteRepository repo = RemoteRepository.of(server.hostAndPort(), "team/app");
      assertEquals(MANIFEST_DIGEST, client(server.hostAndPort(), alice()).resolve(image(repo)));
      RegistryException anonymous =
          assertThrows(
              RegistryUnauthorizedException.class,
              () ->
                  client(server.hostAndPort(), CredentialSource.anonymous()).getManifest(repo, V1));
      assertTrue(anonymous.getMessage().contains("no credentials"), anonymous.getMessage());
    }
  }

  @Test
  void redirectToAnotherHostDropsTheAuthorization() {
    byte[] blob = "hello".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(blob);
    try (FakeRegistryServer storage =
            new FakeRegistryServer(
                Map.of("GET /storage/blob", ex -> FakeRegistryServer.send(ex, 200, blob)));
        FakeRegistryServer registry =
            new FakeRegistryServer(
                Map.of(
                    "GET /v2/team/app/blobs/" + digest,
                    ex -> {
                      if (ex.getRequestHeaders().getFirst("Authorization") == null) {
                        ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"r\"");
                        FakeRegistryServer.send(ex, 401, "");
                        return;
                      }
                      ex.getResponseHeaders()
                          .add("Location", "https://" + storage.hostAndPort() + "/storage/blob");
                      FakeRegistryServer.send(ex, 307, "");
                    }))) {
      RegistryClient client =
          RegistryClient.create(
              new RegistryClientConfig(
                  alice(),
                  Set.of(registry.hostAndPort(), storage.hostAndPort()),
                  Duration.ofSeconds(5)));
      byte[] got =
          client.fetchBlob(RemoteRepository.of(registry.hostAndPort(), "team/app"), digest);
      assertArrayEquals(blob, got);
      assertNull(storage.seen.get(0).authorization(), "credentials stay with the registry");
    }
  }

  @Test
  void manifestWhoseBytesDoNotMatchTheRequestedDigestIsRefused() {
    Digest other = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
    try (FakeRegistryServer server =
        new FakeRegistryServer(Map.of("GET /v2/team/app/manifests/" + other, manifest()))) {
      RegistryException e =
          assertThrows(
              RegistryProtocolException.class,
              () ->
                  client(server.hostAndPort(), CredentialSource.anonymous())
                      .getManifest(
                          RemoteRepository.of(server.hostAndPort(), "team/app"),
                          Reference.of(other)));
      assertTrue(e.getMessage().contains("content has digest " + MANIFEST_DIGEST), e.getMessage());
    }
  }

  @Test
  void blobWhoseBytesDoNotMatchItsDigestIsRefused() {
    Digest claimed = Digest.sha256("original".getBytes(StandardCharsets.UTF_8));
    try (FakeRegistryServer server =
        new FakeRegistryServer(
            Map.of(
                "GET /v2/team/app/blobs/" + claimed,
                ex -> FakeRegistryServer.send(ex, 200, "tampered")))) {
      assertThrows(
          RegistryProtocolException.class,
          () ->
              client(server.hostAndPort(), CredentialSource.anonymous())
                  .fetchBlob(RemoteRepository.of(server.hostAndPort(), "team/app"), claimed));
    }
  }

  @Test
  void notFoundCarriesTheRegistryErrorCode() {
    try (FakeRegistryServer server = new FakeRegistryServer(Map.of())) {
      RegistryException e =
          assertThrows(
              RegistryNotFoundException.class,
              () ->
                  client(server.hostAndPort(), CredentialSource.anonymous())
                      .getManifest(RemoteRepository.of(server.hostAndPort(), "team/app"), V1));
      assertTrue(e.getMessage().contains("NAME_UNKNOWN"), e.getMessage());
    }
  }

  @Test
  void serviceUnavailableIsUnreachable() {
    try (FakeRegistryServer server =
        new FakeRegistryServer(
            Map.of("* /v2/team/app/manifests/v1", ex -> FakeRegistryServer.send(ex, 503, "")))) {
      assertThrows(
          RegistryUnreachableException.class,
          () ->
              client(server.hostAndPort(), CredentialSource.anonymous())
                  .getManifest(RemoteRepository.of(server.hostAndPort(), "team/app"), V1));
    }
  }

  @Test
  void closedPortIsUnreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String host = "127.0.0.1:" + port;
    for (Set<String> insecure : java.util.List.of(Set.of(host), Set.<String>of())) {
      RegistryClient client =
          RegistryClient.create(new RegistryClientConfig(null, insecure, Duration.ofSeconds(5)));
      RegistryException e =
          assertThrows(
              RegistryUnreachableException.class,
              () -> client.getManifest(RemoteRepository.of(host, "team/app"), V1));
      assertTrue(e.getMessage().contains("cannot reach registry " + host), e.getMessage());
    }
  }

  @Test
  void untrustedCertificateIsRefusedUnlessTheHostIsInsecure() {
    try (FakeRegistryServer server =
        new FakeRegistryServer(Map.of("* /v2/team/app/manifests/v1", manifest()))) {
      RemoteRepository repo = RemoteRepository.of(server.hostAndPort(), "team/app");
      RegistryClient strict =
          RegistryClient.create(
              new RegistryClientConfig(null, Set.of("other.example:443"), Duration.ofSeconds(5)));
      RegistryException e =
          assertThrows(RegistryUnreachableException.class, () -> strict.getManifest(repo, V1));
      assertTrue(e.getMessage().contains("--insecure-registry"), e.getMessage());
      assertTrue(server.seen.isEmpty(), "no request crossed an unverified connection");

      assertEquals(
          MANIFEST_DIGEST,
          client(server.hostAndPort(), CredentialSource.anonymous())
              .getManifest(repo, V1)
              .digest());
    }
  }

  private static ImageReference image(RemoteRepository repo) {
    return new ImageReference(repo, Optional.of(Tag.of("v1")), Optional.empty());
  }
}
