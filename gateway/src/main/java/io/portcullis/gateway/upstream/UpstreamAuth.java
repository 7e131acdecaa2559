package io.portcullis.gateway.upstream;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.portcullis.core.registry.AuthChallenge;
import io.portcullis.core.registry.Credentials;
import io.portcullis.core.registry.TokenResponse;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the gateway authenticates to one upstream: learns the upstream's challenge from its 401s,
 * then sends Basic credentials or a bearer token obtained with the <a
 * href="https://distribution.github.io/distribution/spec/auth/token/">registry token protocol</a>.
 * Tokens are cached per scope set until shortly before they expire; concurrent requests for the
 * same scope share one token request.
 */
final class UpstreamAuth {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamAuth.class);
  private static final int MAX_TOKEN_RESPONSE = 64 * 1024;
  // 8 MiB of tokens per upstream, at most a 64th of the heap (2 MiB at -Xmx128m): Docker Hub's
  // tokens of about 1 KiB leave room for thousands of repositories.
  private static final long MAX_TOKEN_BYTES =
      Math.min(8L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 64);
  // The cache's entry, the token record and the strings' headers.
  private static final int TOKEN_ENTRY_OVERHEAD = 256;

  private final Vertx vertx;
  private final UpstreamConfig config;
  private final LoopClients http;
  private final AsyncCache<String, Token> tokens;
  // Not yet learned: null; learned that there is none: NONE.
  private static final AuthChallenge NONE = new AuthChallenge("none", Map.of());
  private volatile AuthChallenge challenge;

  UpstreamAuth(Vertx vertx, UpstreamConfig config, LoopClients http) {
    this.vertx = vertx;
    this.config = config;
    this.http = http;
    this.tokens = tokenCache(MAX_TOKEN_BYTES);
  }

  /**
   * Tokens by scope set, each until shortly before it expires, bounded by weight: a token service
   * (which an attacker may run, behind an upstream it controls) may answer with tokens of up to
   * {@value #MAX_TOKEN_RESPONSE} bytes, for as many repositories as clients ask about.
   */
  static AsyncCache<String, Token> tokenCache(long maxWeight) {
    return Caffeine.newBuilder()
        .maximumWeight(maxWeight)
        .<String, Token>weigher((k, t) -> TOKEN_ENTRY_OVERHEAD + k.length() + t.value().length())
        .expireAfter(
            new Expiry<String, Token>() {
              @Override
              public long expireAfterCreate(String key, Token token, long now) {
                return token.ttl().toNanos();
              }

              @Override
              public long expireAfterUpdate(String key, Token token, long now, long current) {
                return token.ttl().toNanos();
              }

              @Override
              public long expireAfterRead(String key, Token token, long now, long current) {
                return current;
              }
            })
        .buildAsync();
  }

  /** True once the upstream's challenge (or its absence) is known. */
  boolean knowsChallenge() {
    return challenge != null;
  }

  /** Remembers a challenge from a 401; false when it offers nothing new to try. */
  boolean learn(String wwwAuthenticate, String sentAuthorization) {
    Optional<AuthChallenge> parsed = AuthChallenge.preferred(wwwAuthenticate);
    if (parsed.isEmpty()) {
      return false;
    }
    AuthChallenge c = parsed.get();
    if (c.isBasic() && (config.credentials().isEmpty() || sentAuthorization != null)) {
      return false;
    }
    challenge = c;
    return true;
  }

  void assumeNoChallenge() {
    if (challenge == null) {
      challenge = NONE;
    }
  }

  /** The Authorization header value for these scopes, or null to send none. */
  Future<String> authorization(List<String> scopes) {
    AuthChallenge c = challenge;
    if (c == null || c == NONE) {
      return Future.succeededFuture(null);
    }
    if (c.isBasic()) {
      return Future.succeededFuture(
          config.credentials().map(Credentials::basicAuthorization).orElse(null));
    }
    String key = String.join(" ", scopes);
    var context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(
            tokens.get(
                key, (k, executor) -> fetch(c, scopes).toCompletionStage().toCompletableFuture()),
            context)
        .map(t -> "Bearer " + t.value());
  }

  private Future<Token> fetch(AuthChallenge c, List<String> scopes) {
    StringBuilder url = new StringBuilder(c.param("realm").orElseThrow());
    char sep = url.indexOf("?") < 0 ? '?' : '&';
    if (c.param("service").isPresent()) {
      url.append(sep).append("service=").append(enc(c.param("service").get()));
      sep = '&';
    }
    for (String scope : scopes) {
      url.append(sep).append("scope=").append(enc(scope));
      sep = '&';
    }
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(url.toString())
            .setIdleTimeout(config.readTimeout().toMillis())
            .putHeader("User-Agent", Upstream.USER_AGENT);
    config
        .credentials()
        .ifPresent(cr -> options.putHeader("Authorization", cr.basicAuthorization()));
    return http.current()
        .request(options)
        .compose(r -> r.send())
        .compose(
            resp -> {
              if (resp.statusCode() != 200) {
                return resp.end()
                    .transform(
                        x ->
                            Future.failedFuture(
                                OciException.of(
                                    resp.statusCode() == 401 || resp.statusCode() == 403
                                        ? OciErrorCode.DENIED
                                        : OciErrorCode.UNAVAILABLE,
                                    "upstream '"
                                        + config.name()
                                        + "' token service refused the gateway ("
                                        + resp.statusCode()
                                        + (config.credentials().isPresent()
                                            ? "); check its credentialsFile"
                                            : "); it may need a credentialsFile"))));
              }
              return Bodies.collect(resp, MAX_TOKEN_RESPONSE).map(this::parseToken);
            })
        .recover(
            err ->
                Future.failedFuture(
                    err instanceof OciException
                        ? err
                        : Upstream.unreachable(
                            config, "token service " + c.param("realm").get(), err)));
  }

  private Token parseToken(io.vertx.core.buffer.Buffer body) {
    TokenResponse response;
    try {
      response = TokenResponse.parse(body.getBytes());
    } catch (IllegalArgumentException e) {
      throw OciException.withStatus(
          OciErrorCode.UNAVAILABLE,
          502,
          "upstream '" + config.name() + "' token service sent an unreadable token response");
    }
    long expiresIn = response.expiresIn().toSeconds();
    // Renew a little early so a token never expires between the cache and the upstream.
    long ttl = Math.max(5, Math.min(expiresIn - Math.max(5, expiresIn / 10), 3600));
    LOG.debug("upstream {}: new token valid {}s", config.name(), expiresIn);
    return new Token(response.token(), Duration.ofSeconds(ttl));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  record Token(String value, Duration ttl) {
    @Override
    public String toString() {
      return "Token[***, ttl=" + ttl.toSeconds() + "s]";
    }
  }

  static long millis(Duration d) {
    return TimeUnit.NANOSECONDS.toMillis(d.toNanos());
  }
}
