package io.portcullis.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys of one OIDC issuer, by {@code kid}: from a JWKS file (offline), from a JWKS URL,
 * or from the {@code jwks_uri} of the issuer's <a
 * href="https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig">discovery
 * document</a>.
 *
 * <p>The key set is cached (Caffeine, one load shared by concurrent callers) for {@link #MAX_AGE}.
 * A {@code kid} not in it causes one re-load, at most once per {@link #REFETCH_INTERVAL}, which is
 * how key rotation is picked up without letting forged {@code kid}s drive traffic to the issuer.
 * After a failed load, loads are retried at most every {@link #RETRY_AFTER_FAILURE}; meanwhile
 * every lookup is empty (fail closed). Only public parts of signing keys are kept.
 */
public final class OidcJwks {
  public static final Duration MAX_AGE = Duration.ofHours(1);
  public static final Duration REFETCH_INTERVAL = Duration.ofMinutes(1);
  public static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(OidcJwks.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "jwks";

  /** Where the key set comes from. */
  @FunctionalInterface
  interface Source {
    byte[] load() throws IOException;
  }

  private final String description;
  private final Source source;
  private final Clock clock;
  private final LoadingCache<String, JWKSet> cache;
  private Instant lastLoad = Instant.MIN;
  private Instant lastFailure = Instant.MIN;

  private OidcJwks(String description, Source source, Clock clock) {
    this.description = description;
    this.source = source;
    this.clock = clock;
    this.cache =
        Caffeine.newBuilder()
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .expireAfterWrite(MAX_AGE)
            .build(k -> load());
  }

  /**
   * Keys from a JWKS file, read now ({@link IllegalArgumentException} when it cannot be used: the
   * gateway does not start on a broken key file) and again on an unknown {@code kid}.
   */
  public static OidcJwks fromFile(Path file, Clock clock) {
    OidcJwks jwks = new OidcJwks(file.toString(), () -> Files.readAllBytes(file), clock);
    try {
      jwks.cache.put(KEY, jwks.load());
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException("cannot use JWKS file " + e.getCause().getMessage(), e);
    }
    return jwks;
  }

  /** Keys fetched from {@code url} when first needed. */
  public static OidcJwks fromUrl(URI url, OidcFetcher fetcher, Clock clock) {
    return new OidcJwks(url.toString(), () -> fetcher.get(url), clock);
  }

  /** Keys from the {@code jwks_uri} of {@code issuer}'s discovery document. */
  public static OidcJwks discover(String issuer, OidcFetcher fetcher, Clock clock) {
    URI discovery = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
    Source source =
        () -> {
          JsonNode doc = JSON.readTree(fetcher.get(discovery));
          if (!issuer.equals(doc.path("issuer").asText())) {
            throw new IOException(discovery + " names another issuer");
          }
          String jwksUri = doc.path("jwks_uri").asText("");
          if (jwksUri.isEmpty()) {
            throw new IOException(discovery + " has no jwks_uri");
          }
          URI uri = URI.create(jwksUri);
          OidcFetcher.checkTransport(uri);
          return fetcher.get(uri);
        };
    return new OidcJwks(issuer + " (discovery)", source, clock);
  }

  /** The signing key {@code kid}, when the issuer has one by that id. */
  public Optional<JWK> key(String kid) {
    Optional<JWK> found = lookup(kid);
    if (found.isPresent() || !claimRefetch()) {
      return found;
    }
    LOG.info(
        "OIDC key '{}' not in the keys of {}: fetching them again", printable(kid), description);
    try {
      JWKSet fresh = load();
      cache.put(KEY, fresh);
      return Optional.ofNullable(fresh.getKeyByKeyId(kid));
    } catch (UncheckedIOException e) {
      return Optional.empty(); // the keys already known stay in the cache
    }
  }

  private Optional<JWK> lookup(String kid) {
    JWKSet set = cache.getIfPresent(KEY);
    if (set == null) {
      if (inFailureBackoff()) {
        return Optional.empty();
      }
      try {
        set = cache.get(KEY);
      } catch (UncheckedIOException | CompletionException e) {
        return Optional.empty();
      }
    }
    return Optional.ofNullable(set.getKeyByKeyId(kid));
  }

  private synchronized boolean claimRefetch() {
    Instant now = clock.instant();
    if (now.isBefore(lastLoad.plus(REFETCH_INTERVAL))) {
      return false;
    }
    lastLoad = now;
    return true;
  }

  private synchronized boolean inFailureBackoff() {
    return clock.instant().isBefore(lastFailure.plus(RETRY_AFTER_FAILURE));
  }

  private JWKSet load() {
    synchronized (this) {
      lastLoad = clock.instant();
    }
    try {
      JWKSet parsed = JWKSet.parse(new String(source.load(), StandardCharsets.UTF_8));
      JWKSet keys =
          new JWKSet(
              parsed.toPublicJWKSet().getKeys().stream()
                  .filter(k -> k.getKeyID() != null)
                  .filter(k -> k.getKeyUse() == null || KeyUse.SIGNATURE.equals(k.getKeyUse()))
                  .toList());
      LOG.info("OIDC keys of {}: {} signing key(s)", description, keys.size());
      return keys;
    } catch (IOException | ParseException | RuntimeException e) {
      synchronized (this) {
        lastFailure = clock.instant();
      }
      LOG.warn("cannot load the OIDC keys of {}: {}", description, e.getMessage());
      throw new UncheckedIOException(new IOException(description + ": " + e.getMessage(), e));
    }
  }

  static String printable(String value) {
    if (value == null) {
      return "";
    }
    String cut = value.length() > 100 ? value.substring(0, 100) + "..." : value;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
