package io.portcullis.core.dct;

import io.portcullis.core.registry.AuthChallenge;
import io.portcullis.core.registry.Credentials;
import io.portcullis.core.registry.TokenResponse;
import io.portcullis.core.tuf.BoundedBody;
import io.portcullis.core.tuf.HttpTufRemote;
import io.portcullis.core.tuf.TufException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Notary's token authentication: a Notary server configured with {@code "auth": {"type": "token"}}
 * answers 401 with a Bearer challenge, and the client asks the realm (the registry's token service)
 * for a token of scope {@code repository:<gun>:pull}, with Basic credentials when it has some (<a
 * href="https://distribution.github.io/distribution/spec/auth/token/">registry token protocol</a>).
 * A Basic challenge is answered with the credentials. The token is reused until shortly before it
 * expires. Credentials never go to a realm over plain HTTP, except on loopback.
 */
public final class NotaryTokenAuthorizer implements HttpTufRemote.Authorizer {
  private static final int MAX_TOKEN_RESPONSE = 1024 * 1024;
  private static final Duration MARGIN = Duration.ofSeconds(10);
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

  private final Gun gun;
  private final Optional<Credentials> credentials;
  private final HttpClient client;
  private final Duration timeout;
  private final Clock clock;
  private String header;
  private Instant expires = Instant.MIN;

  public NotaryTokenAuthorizer(
      Gun gun, Optional<Credentials> credentials, SSLContext tls, Duration timeout, Clock clock) {
    this.gun = gun;
    this.credentials = credentials;
    this.timeout = timeout;
    this.clock = clock;
    HttpClient.Builder builder =
        HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.client = builder.build();
  }

  @Override
  public synchronized Optional<String> current() {
    return header != null && clock.instant().isBefore(expires)
        ? Optional.of(header)
        : Optional.empty();
  }

  @Override
  public synchronized Optional<String> answer(String challenge) throws TufException {
    Optional<AuthChallenge> preferred = AuthChallenge.preferred(challenge);
    if (preferred.isEmpty()) {
      return Optional.empty();
    }
    if (!preferred.get().isBearer()) {
      header = credentials.map(Credentials::basicAuthorization).orElse(null);
      expires = Instant.MAX;
      return Optional.ofNullable(header);
    }
    TokenResponse token = fetchToken(preferred.get());
    Duration lifetime =
        token.expiresIn().compareTo(TokenResponse.DEFAULT_LIFETIME) < 0
            ? TokenResponse.DEFAULT_LIFETIME
            : token.expiresIn();
    header = "Bearer " + token.token();
    expires = clock.instant().plus(lifetime).minus(MARGIN);
    return Optional.of(header);
  }

  private TokenResponse fetchToken(AuthChallenge challenge) throws TufException {
    String realm =
        challenge
            .param("realm")
            .orElseThrow(() -> new TufException.FetchFailed("Bearer challenge without a realm"));
    StringBuilder query = new StringBuilder();
    challenge.param("service").ifPresent(s -> append(query, "service", s));
    append(query, "scope", "repository:" + gun.value() + ":pull");
    URI uri;
    try {
      uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
    } catch (IllegalArgumentException e) {
      throw new TufException.FetchFailed("the Notary server sent an unusable token realm " + realm);
    }
    if (credentials.isPresent()
        && !"https".equals(uri.getScheme())
        && !LOOPBACK.contains(String.valueOf(uri.getHost()))) {
      throw new TufException.FetchFailed(
          "token realm " + realm + " is not https: credentials are not sent over plain HTTP");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    credentials.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
    long started = System.nanoTime();
    try {
      HttpResponse<InputStream> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new TufException.FetchFailed(
              "token service "
                  + uri.getHost()
                  + " answered HTTP "
                  + response.statusCode()
                  + (credentials.isPresent()
                      ? " to the credentials for " + gun
                      : " to an anonymous request for " + gun + "; credentials are needed"));
        }
        // the realm is the Notary server's to name: its body is read under the same deadline
        // as the headers, or a realm that trickles would hold this thread for ever
        byte[] bytes;
        try {
          bytes =
              BoundedBody.read(
                  "the token response from " + uri.getHost(),
                  body,
                  response.headers().firstValueAsLong("content-length").orElse(-1),
                  MAX_TOKEN_RESPONSE,
                  timeout.minusNanos(System.nanoTime() - started));
        } catch (TufException.TooLarge e) {
          throw new TufException.FetchFailed(e.getMessage());
        }
        return TokenResponse.parse(bytes);
      }
    } catch (IllegalArgumentException e) {
      throw new TufException.FetchFailed(
          "token response from " + uri.getHost() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new TufException.FetchFailed("token request to " + uri.getHost() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TufException.FetchFailed("interrupted while fetching a token", e);
    }
  }

  private static void append(StringBuilder query, String name, String value) {
    if (query.length() > 0) {
      query.append('&');
    }
    query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }
}
