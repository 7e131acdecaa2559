package io.portcullis.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.policy.ScopePattern;
import io.portcullis.core.time.Durations;
import io.portcullis.gateway.auth.RobotRecord;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The body of {@code POST /api/v1/robots}, validated at the edge: {@code {"name","role","ttl"}} and
 * optionally {@code "scopes"} (repository globs that narrow the role, as {@code robot create
 * --scope}). Every mistake is a 400 naming the field; nothing else is accepted (an unknown field is
 * more likely a typo than something to ignore).
 *
 * @param ttl between {@link #MIN_TTL} and {@link #MAX_TTL}
 */
record RobotRequest(String name, String role, List<String> scopes, Duration ttl) {
  /** Larger bodies are refused with 413 before they are read whole. */
  static final int MAX_BODY = 16 * 1024;

  static final Duration MIN_TTL = Duration.ofMinutes(1);
  static final Duration MAX_TTL = Duration.ofDays(366);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("name", "role", "ttl", "scopes");

  /** Parses {@code body}; {@code roleExists} says whether {@code auth.roles} has a role. */
  static RobotRequest parse(byte[] body, Predicate<String> roleExists) {
    JsonNode json;
    try {
      json = JSON.readTree(new String(body, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw invalid("the body is not JSON; send {\"name\",\"role\",\"ttl\"}");
    }
    if (json == null || !json.isObject()) {
      throw invalid("the body must be a JSON object {\"name\",\"role\",\"ttl\"}");
    }
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw invalid("unknown field '" + printable(field) + "' (name, role, ttl, scopes)");
      }
    }
    String name = text(json, "name");
    if (!RobotRecord.isName(name)) {
      throw invalid(
          "name: '" + printable(name) + "' must be lowercase letters, digits and '-' (at most 63)");
    }
    String role = text(json, "role");
    if (!roleExists.test(role)) {
      throw invalid("role: '" + printable(role) + "' is not a role of auth.roles");
    }
    Duration ttl = ttl(text(json, "ttl"));
    return new RobotRequest(name, role, scopes(json.get("scopes")), ttl);
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw invalid(field + ": is required, a string");
    }
    return value.asText();
  }

  private static Duration ttl(String value) {
    Duration ttl;
    try {
      ttl = Durations.parse(value);
    } catch (RuntimeException e) {
      throw invalid("ttl: '" + printable(value) + "' is not a duration such as 24h or 30d");
    }
    if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw invalid("ttl: must be between 1m and 366d");
    }
    return ttl;
  }

  private static List<String> scopes(JsonNode value) {
    if (value == null) {
      return List.of();
    }
    if (!value.isArray() || value.size() > 32) {
      throw invalid("scopes: must be a list of at most 32 repository globs");
    }
    List<String> scopes = new ArrayList<>();
    for (JsonNode s : value) {
      if (!s.isTextual()) {
        throw invalid("scopes: must be a list of strings");
      }
      try {
        ScopePattern.parse(s.asText());
      } catch (IllegalArgumentException e) {
        throw invalid("scopes: '" + printable(s.asText()) + "' is not a repository glob");
      }
      scopes.add(s.asText());
    }
    return List.copyOf(scopes);
  }

  static OciException invalid(String message) {
    return OciException.withStatus(OciErrorCode.UNSUPPORTED, 400, message);
  }

  /** Echoes at most 64 printable characters of what a client sent. */
  private static String printable(String value) {
    String cut = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
