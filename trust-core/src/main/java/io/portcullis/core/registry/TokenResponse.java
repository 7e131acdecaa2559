package io.portcullis.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import java.time.Duration;

/**
 * A token service's answer in the <a
 * href="https://distribution.github.io/distribution/spec/auth/token/#token-response-fields">registry
 * token protocol</a>: {@code token}, or its OAuth2 alias {@code access_token} (Docker Hub sends
 * both, some services only one), and {@code expires_in} seconds, 60 when absent (the spec's
 * default). One reading for the CLI's client and the gateway's upstreams alike.
 */
public record TokenResponse(String token, Duration expiresIn) {
  /** The lifetime of a token whose response names none. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

  /** The longest lifetime believed, whatever the response says. */
  public static final Duration MAX_LIFETIME = Duration.ofDays(1);

  /** Never shows the token, so a stray log line cannot leak it. */
  @Override
  public String toString() {
    return "TokenResponse[token=***, expiresIn=" + expiresIn.toSeconds() + "s]";
  }

  /**
   * Reads a token response; {@link IllegalArgumentException} when it is not a JSON object with a
   * non-empty token (the message never repeats the body, which may hold a secret).
   */
  public static TokenResponse parse(byte[] body) {
    JsonNode json;
    try {
      json = StrictJson.readTree(body);
    } catch (StrictJson.InvalidJsonException e) {
      // Not e's message: it may quote the body, which may hold a secret.
      throw new IllegalArgumentException("the token response is not JSON");
    }
    if (!json.isObject()) {
      throw new IllegalArgumentException("the token response is not a JSON object");
    }
    String token = text(json, "token");
    if (token.isEmpty()) {
      token = text(json, "access_token");
    }
    if (token.isEmpty()) {
      throw new IllegalArgumentException("the token response carries no token");
    }
    JsonNode expires = json.get("expires_in");
    // Capped: the token service chooses it, and a lifetime of Long.MAX_VALUE seconds overflows the
    // clock arithmetic of whoever caches the token.
    long seconds =
        expires != null && expires.canConvertToLong() && expires.asLong() > 0
            ? Math.min(expires.asLong(), MAX_LIFETIME.toSeconds())
            : DEFAULT_LIFETIME.toSeconds();
    return new TokenResponse(token, Duration.ofSeconds(seconds));
  }

  private static String text(JsonNode json, String field) {
    JsonNode v = json.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }
}
