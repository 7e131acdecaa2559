package io.portcullis.core.registry;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers registry challenges: Basic with the configured credentials, Bearer through the <a
 * href="https://distribution.github.io/distribution/spec/auth/token/">registry token protocol</a>
 * (a GET to the realm with {@code service} and {@code scope}, Basic credentials when there are
 * any). Authorization headers are cached per endpoint and scope until shortly before they expire,
 * so each scope costs one token request per run.
 */
final class TokenAuthenticator {
  /** Tokens are small; anything bigger is not a token response. */
  private static final int MAX_TOKEN_RESPONSE = 1024 * 1024;

  /** Renew a little early so a token does not expire in flight. */
  private static final Duration MARGIN = Duration.ofSeconds(10);

  private record Cached(String header, Instant expires) {}

  private final CredentialSource credentials;
  private final HttpExchange http;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  /** The raw HTTP exchange the authenticator uses for token requests (no auth, no retries). */
  @FunctionalInterface
  interface HttpExchange {
    HttpResponse<InputStream> send(HttpRequest request);
  }

  TokenAuthenticator(CredentialSource credentials, HttpExchange http, Clock clock) {
    this.credentials = credentials;
    this.http = http;
    this.clock = clock;
  }

  /** A header still valid for this endpoint and scope, if one was obtained before. */
  Optional<String> cached(String endpoint, String scope) {
    for (String key : List.of(key(endpoint, scope), key(endpoint, "*"))) {
      Cached hit = cache.get(key);
      if (hit != null && clock.instant().isBefore(hit.expires())) {
        return Optional.of(hit.header());
      }
    }
    return Optional.empty();
  }

  /**
   * The Authorization header that answers {@code challenges} for a request to {@code repository}
   * needing {@code scope}; throws {@link RegistryUnauthorizedException} when none can.
   */
  String answer(List<AuthChallenge> challenges, RemoteRepository repository, String scope) {
    String endpoint = repository.endpoint();
    Optional<Credentials> creds = credentials.lookup(repository.registry());
    Optional<AuthChallenge> challenge = AuthChallenge.preferred(challenges);
    if (challenge.isPresent() && challenge.get().isBearer()) {
      Cached token = fetchToken(challenge.get(), repository, scope, creds);
      cache.put(key(endpoint, scope), token);
      return token.header();
    }
    if (challenge.isPresent()) {
      Credentials c =
          creds.orElseThrow(
              () ->
                  new RegistryUnauthorizedException(
                      repository.registry()
                          + " requires a login and no credentials were found for it"
                          + " (docker config.json or --registry-creds-file)"));
      String header = c.basicAuthorization();
      cache.put(key(endpoint, "*"), new Cached(header, Instant.MAX));
      return header;
    }
    throw new RegistryUnauthorizedException(
        repository.registry() + " demands an authentication scheme this client does not speak");
  }

  private Cached fetchToken(
      AuthChallenge challenge,
      RemoteRepository repository,
      String scope,
      Optional<Credentials> creds) {
    String realm = challenge.param("realm").orElseThrow();
    StringBuilder query = new StringBuilder();
    challenge.param("service").ifPresent(s -> append(query, "service", s));
    Set<String> scopes = new LinkedHashSet<>();
    challenge.param("scope").ifPresent(scopes::add);
    scopes.add(scope);
    scopes.forEach(s -> append(query, "scope", s));
    URI uri;
    try {
      uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
    } catch (IllegalArgumentException e) {
      throw new RegistryProtocolException(
          repository.registry() + " sent an unusable token realm: " + realm);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
    creds.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
    HttpResponse<InputStream> response = http.send(request.build());
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      ResponseBodies.discard(response);
      throw new RegistryUnauthorizedException(
          "token service "
              + uri.getHost()
              + (creds.isPresent()
                  ? " refused the credentials for " + repository.registry()
                  : " refused anonymous access to " + repository + "; credentials are needed"));
    }
    if (response.statusCode() != 200) {
      throw ResponseBodies.failure(response, "token request to " + uri.getHost());
    }
    byte[] body = ResponseBodies.read(response, MAX_TOKEN_RESPONSE, "token response");
    TokenResponse token;
    try {
      token = TokenResponse.parse(body);
    } catch (IllegalArgumentException e) {
      throw new RegistryProtocolException(e.getMessage() + " (from " + uri.getHost() + ")");
    }
    // Never cached for less than the spec's default, whatever the service says.
    Duration lifetime =
        token.expiresIn().compareTo(TokenResponse.DEFAULT_LIFETIME) < 0
            ? TokenResponse.DEFAULT_LIFETIME
            : token.expiresIn();
    return new Cached("Bearer " + token.token(), clock.instant().plus(lifetime).minus(MARGIN));
  }

  private static void append(StringBuilder query, String name, String value) {
    if (query.length() > 0) {
      query.append('&');
    }
    query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  private static String key(String endpoint, String scope) {
    return endpoint + "|" + scope;
  }
}
